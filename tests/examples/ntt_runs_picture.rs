//! Draws `docs/ntt-runs-sim-small.svg`: four jobs of 16 NTTs of 2^8 on sim-small, one job
//! at a time against appended to one run (register map 4.3), each job's elements entering
//! the kernel and its results leaving, in cycles of the `model:` device's schedule (whose
//! run lengths equal the simulated board's counters: `--test suite ntt_runs::`).
//!
//! `cargo run -p zkpipe-tests --example ntt_runs_picture [-- OUT.svg]`

use zkpipe::model::{FactorKind, ModelCard, RunJob};

const JOBS: usize = 4;
const LOG_N: u32 = 8;
const NTTS_PER_JOB: usize = 16;

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/ntt-runs-sim-small.svg".into());
    let model = ModelCard::open("model:sim-small").expect("the sim-small model");
    let lens = vec![NTTS_PER_JOB << LOG_N; JOBS];
    let run = model.ntt_run_schedule(&lens, LOG_N, FactorKind::Plain);
    // One at a time: each job a run of its own, started when the one before has ended.
    let mut alone = vec![];
    let mut at = 0;
    for &n in &lens {
        let job = model.ntt_run_schedule(&[n], LOG_N, FactorKind::Plain)[0];
        alone.push(RunJob {
            first_element: at + job.first_element,
            last_result: at + job.last_result,
            ..job
        });
        at += job.last_result + 1;
    }
    let svg = picture(&[("one job at a time", &alone), ("appended to one run", &run)]);
    std::fs::write(&out, svg).unwrap_or_else(|e| panic!("{out}: {e}"));
    let cycles = |jobs: &[RunJob]| jobs.last().map_or(0, |j| j.last_result + 1);
    let elements = (JOBS * (NTTS_PER_JOB << LOG_N)) as f64;
    println!(
        "wrote {out}: one at a time {} cycles (utilisation {:.3}), one run {} cycles ({:.3})",
        cycles(&alone),
        elements / cycles(&alone) as f64,
        cycles(&run),
        elements / cycles(&run) as f64
    );
}

/// Panels of jobs: per job a row, its elements entering (light, above) and its results
/// leaving (dark, below).
fn picture(panels: &[(&str, &[RunJob])]) -> String {
    const W: f64 = 1000.0;
    const LEFT: f64 = 150.0;
    const ROW: f64 = 26.0;
    const PANEL_GAP: f64 = 40.0;
    let end = panels
        .iter()
        .flat_map(|(_, jobs)| jobs.iter().map(|j| j.last_result + 1))
        .max()
        .unwrap_or(1) as f64;
    let x = |c: f64| LEFT + c / end * (W - LEFT - 20.0);
    let height = 50.0 + panels.len() as f64 * (8.0 + JOBS as f64 * ROW + PANEL_GAP) + 30.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"10\" y=\"22\" font-size=\"15\">{JOBS} jobs of {NTTS_PER_JOB} NTTs of 2^{LOG_N} \
         on sim-small: each job's elements in (light) and results out (dark)</text>\n"
    );
    let mut y = 56.0;
    for (title, jobs) in panels {
        let cycles = jobs.last().map_or(0, |j| j.last_result + 1);
        let elements: usize = jobs.iter().map(|j| j.elements).sum();
        s += &format!(
            "<text x=\"10\" y=\"{y:.1}\">{title}: {cycles} busy cycles, utilisation {:.3}</text>\n",
            elements as f64 / cycles as f64
        );
        let top = y + 8.0;
        for (k, j) in jobs.iter().enumerate() {
            let row = top + k as f64 * ROW;
            let (in0, in1) = (
                j.first_element as f64,
                (j.first_element + j.elements as u64) as f64,
            );
            let (out0, out1) = (
                (j.last_result + 1 - j.elements as u64) as f64,
                (j.last_result + 1) as f64,
            );
            let half = ROW / 2.0 - 2.0;
            s += &format!(
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{half:.1}\" fill=\"#9ecae1\">\
                 <title>job {k}: elements in, cycles {in0}–{in1}</title></rect>\n\
                 <rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{half:.1}\" fill=\"#3182bd\">\
                 <title>job {k}: results out, cycles {out0}–{out1}</title></rect>\n\
                 <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#444\">job {k}</text>\n",
                x(in0),
                row + 1.0,
                x(in1) - x(in0),
                x(out0),
                row + ROW / 2.0,
                x(out1) - x(out0),
                LEFT - 40.0,
                row + ROW / 2.0 + 4.0,
            );
        }
        y += 8.0 + JOBS as f64 * ROW + PANEL_GAP;
    }
    for i in 0..=5 {
        let c = end * i as f64 / 5.0;
        s += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">{:.0}</text>\n",
            x(c),
            y,
            c
        );
    }
    s += &format!(
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#444\">cycles</text>\n</svg>\n",
        (LEFT + W) / 2.0,
        y + 18.0
    );
    s
}
