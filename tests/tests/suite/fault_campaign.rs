//! The short fault campaign of the default suite: each fault kind twice on the simulated
//! board (two campaigns of one run per kind, on two boards in parallel), every result
//! compared with arkworks. `zkpipe faults --runs 1000` is the benchmark (README).

use std::sync::Arc;
use std::time::Duration;
use zkpipe::campaign::{self, CampaignConfig, CampaignReport, Workload};
use zkpipe::Device;

fn campaign(seed: u64) -> CampaignReport {
    let device = Arc::new(Device::open("sim:sim-small").unwrap());
    let config = CampaignConfig {
        runs: campaign::kinds().len(),
        seed,
        timeout: Duration::from_secs(3),
        ..CampaignConfig::default()
    };
    let mut records = vec![];
    let report = campaign::run(&device, &config, |r| {
        assert_eq!(r.run, records.len());
        records.push(r.clone());
    })
    .unwrap();
    assert_eq!(report.total.runs, config.runs);
    assert!(report.passed(), "{:#?}", report.failures);
    // Every kind ran once.
    for kind in campaign::kinds() {
        assert_eq!(report.by_fault[kind].runs, 1, "{kind}");
    }
    // Faults of the transport are typed errors (or, in a proof, a rejected proof). They
    // hit every job of the workloads that stream through the host; a job of the proof's
    // or the QAP workload's that runs in card memory has no DMA to fail.
    for kind in ["dma-error", "stuck", "short-stream"] {
        let t = report.by_fault[kind];
        assert_eq!(t.errors + t.rejected, t.injected, "{kind}: {t:?}");
        let r = records.iter().find(|r| r.fault == kind).unwrap();
        if !matches!(r.workload, Workload::Proof | Workload::Qap) {
            assert!(r.fired, "{kind} on {:?}", r.workload);
        }
    }
    // A corrupted input beat that reached the card always fails the job.
    let t = report.by_fault["corrupt-h2c"];
    assert_eq!(t.errors + t.rejected, t.injected, "{t:?}");
    assert!(report.errors.contains_key("Timeout"));
    // No fault is left armed; the device has its default timeout again.
    assert!(!device.with_sim_board(|b| b.fault_armed()).unwrap());
    report
}

#[test]
fn faults_are_errors_or_rejected_proofs_never_wrong_results_seed_7() {
    campaign(7);
}

#[test]
fn faults_are_errors_or_rejected_proofs_never_wrong_results_seed_8() {
    campaign(8);
}
