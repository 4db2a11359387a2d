//! A generated board's timing as plain numbers, for cycle models that run without the
//! simulator (the host library's `model:<preset>` device): the identification registers
//! the board's CSR block holds, and the latencies of its engines — taken from the same
//! generator objects that emit the Verilog, so a model cannot drift from the hardware.

use crate::msm::g2_add::G2PointAdd;
use crate::msm::{AdderKind, PointAdd};
use crate::preset::{MsmConfig, Preset};
use crate::shell::csr::CsrConstants;
use crate::shell::kernel::ElementwiseKernel;

/// What a board of one preset takes per job, in cycles of its kernel clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardTiming {
    /// The CSR block's identification registers (CAPS_*), as the driver reads them.
    pub csr: CsrConstants,
    /// Elementwise pipeline latency L (a mul/add/sub job of n elements is busy n + L).
    pub elementwise_latency: usize,
    /// `ntt_latency[m][t]`: the NTT path's latency for NTTs of 2^m points, without (t = 0)
    /// or with (t = 1) the four-step twiddle product; m up to the core's log size.
    pub ntt_latency: Vec<[usize; 2]>,
    /// The MSM unit's geometry.
    pub msm: MsmConfig,
    /// Latency of one point adder.
    pub msm_adder_latency: usize,
    /// The G2 MSM unit's geometry and adder latency (None: no G2 engine).
    pub msm_g2: Option<(MsmConfig, usize)>,
}

impl BoardTiming {
    /// The MSM unit's bucket-reduction schedule (None: the host reduces).
    pub fn msm_reduce_plan(&self) -> Option<crate::preset::ReducePlan> {
        self.msm.reduce_plan(self.msm_adder_latency)
    }
}

impl BoardTiming {
    /// Builds the preset's engines (not the whole board: no Verilog, no bucket memory) and
    /// reads their timing.
    pub fn of(preset: &Preset) -> Self {
        let kernel = ElementwiseKernel::new(&preset.kernel(), &preset.ntt());
        let path = kernel.ntt();
        let msm = preset.msm();
        let msm_adder_latency = match msm.field_width {
            256 => PointAdd::<256, 512>::for_msm(&msm).latency(),
            384 => PointAdd::<384, 768>::for_msm(&msm).latency(),
            w => panic!("no point adder for {w}-bit base fields"),
        };
        let msm_g2 = preset.msm_g2().map(|g2| {
            let kind = AdderKind::of(&g2);
            let latency =
                match g2.field_width {
                    256 => G2PointAdd::<256, 512>::new(g2.curve, g2.mul_style, kind, g2.interval)
                        .latency(),
                    384 => G2PointAdd::<384, 768>::new(g2.curve, g2.mul_style, kind, g2.interval)
                        .latency(),
                    w => panic!("no G2 adder for {w}-bit base fields"),
                };
            (g2, latency)
        });
        Self {
            csr: CsrConstants::of(
                preset,
                kernel.latency(),
                path,
                (&msm, msm.reduce_plan(msm_adder_latency)),
                msm_g2.as_ref().map(|(g, l)| (g, g.reduce_plan(*l))),
            ),
            elementwise_latency: kernel.latency(),
            ntt_latency: (0..=path.log_size())
                .map(|m| [path.latency(m, false), path.latency(m, true)])
                .collect(),
            msm,
            msm_adder_latency,
            msm_g2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::board::Board;

    #[test]
    fn the_timing_is_the_boards() {
        let preset = Preset::by_name("sim-small").unwrap();
        let t = BoardTiming::of(preset);
        let board = Board::<256, 512>::new(preset);
        assert_eq!(t.elementwise_latency, board.latency());
        assert_eq!(t.msm, board.msm_geometry());
        assert_eq!(t.ntt_latency.len(), preset.ntt_log_size + 1);
        let path = crate::ntt::NttPath::new(&preset.ntt());
        assert_eq!(
            t.ntt_latency[3],
            [path.latency(3, false), path.latency(3, true)]
        );
        assert!(t.csr.registers().iter().any(|&(_, v)| v == preset.hash()));
    }
}
