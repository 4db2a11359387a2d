//! The board top of a preset: CSR block (AXI4-Lite, BAR0) and the host-to-card /
//! card-to-host AXI4-Streams that the Xilinx XDMA IP presents in streaming mode, routed to
//! the kernel. A real card instantiates XDMA and connects its `m_axil_*` (to `csr_*`),
//! `m_axis_h2c_*_0` (to `h2c_*`), `s_axis_c2h_*_0` (to `c2h_*`) and `usr_irq_req` (to
//! `irq`) — no custom DMA logic.
//!
//! Two engines sit behind the same CSR block and streams: the elementwise kernel (with the
//! NTT path) and the MSM unit. JOB_OPCODE selects which one gets CONTROL.start, the
//! streams, STATUS and the performance counters; `PW` is the width of the curve's base
//! field (the MSM unit's points).

use super::csr::{CsrBlock, CsrConstants};
use super::kernel::{ElementwiseKernel, BEAT_BITS};
use super::regs::Opcode;
use crate::msm::{MsmConfig, MsmUnit};
use crate::preset::Preset;
use crate::rtl::*;
use rust_hdl::core::prelude::*;

#[derive(LogicBlock)]
pub struct Board<const PW: usize, const PW2: usize> {
    pub clock: Signal<In, Clock>,
    pub csr_awvalid: Signal<In, Bit>,
    pub csr_awaddr: Signal<In, Bits<16>>,
    pub csr_awready: Signal<Out, Bit>,
    pub csr_wvalid: Signal<In, Bit>,
    pub csr_wdata: Signal<In, Bits<32>>,
    pub csr_wready: Signal<Out, Bit>,
    pub csr_bvalid: Signal<Out, Bit>,
    pub csr_bready: Signal<In, Bit>,
    pub csr_arvalid: Signal<In, Bit>,
    pub csr_araddr: Signal<In, Bits<16>>,
    pub csr_arready: Signal<Out, Bit>,
    pub csr_rvalid: Signal<Out, Bit>,
    pub csr_rdata: Signal<Out, Bits<32>>,
    pub csr_rready: Signal<In, Bit>,
    pub h2c_tdata: Signal<In, Bits<BEAT_BITS>>,
    pub h2c_tvalid: Signal<In, Bit>,
    pub h2c_tlast: Signal<In, Bit>,
    pub h2c_tready: Signal<Out, Bit>,
    pub c2h_tdata: Signal<Out, Bits<BEAT_BITS>>,
    pub c2h_tvalid: Signal<Out, Bit>,
    pub c2h_tlast: Signal<Out, Bit>,
    pub c2h_tready: Signal<In, Bit>,
    pub irq: Signal<Out, Bit>,
    csr: CsrBlock,
    kernel: ElementwiseKernel,
    msm: MsmUnit<PW, PW2>,
    msm_sel: Signal<Local, Bit>,
}

/// CSR ports: (board port, csr port, board input?).
const CSR_PORTS: [(&str, &str, bool); 15] = [
    ("csr_awvalid", "awvalid", true),
    ("csr_awaddr", "awaddr", true),
    ("csr_awready", "awready", false),
    ("csr_wvalid", "wvalid", true),
    ("csr_wdata", "wdata", true),
    ("csr_wready", "wready", false),
    ("csr_bvalid", "bvalid", false),
    ("csr_bready", "bready", true),
    ("csr_arvalid", "arvalid", true),
    ("csr_araddr", "araddr", true),
    ("csr_arready", "arready", false),
    ("csr_rvalid", "rvalid", false),
    ("csr_rdata", "rdata", false),
    ("csr_rready", "rready", true),
    ("clock", "clock", true),
];

/// CSR → kernel signals (start, status, counters and the streams' handshakes go through
/// the engine selection in `hdl`).
const LINKS: [&str; 7] = [
    "soft_reset",
    "opcode",
    "count",
    "param",
    "ntt_cfg",
    "ntt_row",
    "clock",
];

/// Stream inputs both engines see unconditionally.
const STREAM_INPUTS: [&str; 2] = ["h2c_tdata", "h2c_tlast"];

impl<const PW: usize, const PW2: usize> Board<PW, PW2> {
    pub fn new(preset: &Preset) -> Self {
        let msm = MsmUnit::new(&preset.msm());
        let kernel = ElementwiseKernel::new(&preset.kernel(), &preset.ntt());
        let ntt = kernel.ntt();
        let caps = CsrConstants::of(
            preset,
            kernel.latency(),
            ntt,
            &msm.geometry(),
            msm.reduce_plan(),
        );
        Self {
            clock: Default::default(),
            csr_awvalid: Default::default(),
            csr_awaddr: Default::default(),
            csr_awready: Default::default(),
            csr_wvalid: Default::default(),
            csr_wdata: Default::default(),
            csr_wready: Default::default(),
            csr_bvalid: Default::default(),
            csr_bready: Default::default(),
            csr_arvalid: Default::default(),
            csr_araddr: Default::default(),
            csr_arready: Default::default(),
            csr_rvalid: Default::default(),
            csr_rdata: Default::default(),
            csr_rready: Default::default(),
            h2c_tdata: Default::default(),
            h2c_tvalid: Default::default(),
            h2c_tlast: Default::default(),
            h2c_tready: Default::default(),
            c2h_tdata: Default::default(),
            c2h_tvalid: Default::default(),
            c2h_tlast: Default::default(),
            c2h_tready: Default::default(),
            irq: Default::default(),
            csr: CsrBlock::new(&caps),
            kernel,
            msm,
            msm_sel: Default::default(),
        }
    }

    pub fn msm_geometry(&self) -> MsmConfig {
        self.msm.geometry()
    }

    /// Cycles from an accepted input beat to its output beat.
    pub fn latency(&self) -> usize {
        self.kernel.latency()
    }
}

impl<const PW: usize, const PW2: usize> Logic for Board<PW, PW2> {
    /// Not simulated by rust-hdl: the block's Verilog comes from `hdl()` and runs under
    /// Verilator, its one description (no hand-kept behavioural copy to drift from it).
    fn update(&mut self) {}

    fn connect(&mut self) {
        for s in [
            &mut self.csr_awready,
            &mut self.csr_wready,
            &mut self.csr_bvalid,
            &mut self.csr_arready,
            &mut self.csr_rvalid,
            &mut self.h2c_tready,
            &mut self.c2h_tvalid,
            &mut self.c2h_tlast,
            &mut self.irq,
        ] {
            s.connect();
        }
        self.csr_rdata.connect();
        self.c2h_tdata.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut s = vec![];
        for (board, csr, input) in CSR_PORTS {
            let (child, parent) = (format!("csr${csr}"), board.to_string());
            s.push(if input {
                assign(child, sig(parent))
            } else {
                assign(parent, sig(child))
            });
        }
        for link in LINKS {
            s.push(assign(format!("kernel${link}"), sig(format!("csr${link}"))));
        }
        for port in STREAM_INPUTS {
            s.push(assign(format!("kernel${port}"), sig(port)));
        }
        // The MSM unit: selected by its opcodes; the kernel sees neither its start nor its
        // stream beats.
        let msm_op = |o: Opcode| eq(sig("csr$opcode"), lit_u(o as u64, 32));
        s.push(assign(
            "msm_sel",
            or(msm_op(Opcode::MsmLoad), msm_op(Opcode::MsmRun)),
        ));
        s.push(assign("msm$clock", sig("clock")));
        s.push(assign("msm$start", and(sig("csr$start"), sig("msm_sel"))));
        s.push(assign(
            "kernel$start",
            and(sig("csr$start"), not(sig("msm_sel"))),
        ));
        s.push(assign("msm$soft_reset", sig("csr$soft_reset")));
        s.push(assign("msm$opcode", sig("csr$opcode")));
        s.push(assign("msm$count", sig("csr$count")));
        s.push(assign("msm$offset", sig("csr$msm_offset")));
        s.push(assign("msm$fault", sig("csr$fault_inject")));
        s.push(assign("msm$flags", sig("csr$msm_flags")));
        for (csr, unit) in [
            ("status", "status"),
            ("perf_busy", "perf_busy"),
            ("perf_in", "perf_in"),
            ("perf_out", "perf_out"),
            ("perf_stall", "perf_stall"),
        ] {
            s.push(mux_assign(
                &format!("csr${csr}"),
                sig("msm_sel"),
                sig(format!("msm${unit}")),
                sig(format!("kernel${unit}")),
            ));
        }
        s.push(assign("csr$perf_msm_adds", sig("msm$perf_adds")));
        s.push(assign("csr$perf_msm_deferrals", sig("msm$perf_deferrals")));
        s.push(assign("csr$perf_msm_accum", sig("msm$perf_accum")));
        s.push(assign("csr$perf_msm_adds_min", sig("msm$perf_adds_min")));
        s.push(assign("csr$perf_msm_reduce", sig("msm$perf_reduce")));
        s.push(assign("msm$h2c_tdata", sig("h2c_tdata")));
        s.push(assign("msm$h2c_tlast", sig("h2c_tlast")));
        s.push(assign(
            "msm$h2c_tvalid",
            and(sig("h2c_tvalid"), sig("msm_sel")),
        ));
        s.push(assign(
            "kernel$h2c_tvalid",
            and(sig("h2c_tvalid"), not(sig("msm_sel"))),
        ));
        s.push(assign(
            "msm$c2h_tready",
            and(sig("c2h_tready"), sig("msm_sel")),
        ));
        s.push(assign(
            "kernel$c2h_tready",
            and(sig("c2h_tready"), not(sig("msm_sel"))),
        ));
        for port in ["h2c_tready", "c2h_tdata", "c2h_tvalid", "c2h_tlast"] {
            s.push(mux_assign(
                port,
                sig("msm_sel"),
                sig(format!("msm${port}")),
                sig(format!("kernel${port}")),
            ));
        }
        s.push(assign(
            "irq",
            and(
                or(
                    and(sig("msm_sel"), sig("msm$done")),
                    and(not(sig("msm_sel")), sig("kernel$done")),
                ),
                sig("csr$irq_enable"),
            ),
        ));
        comb(s)
    }
}
