//! The board top of a preset: CSR block (AXI4-Lite, BAR0) and the host-to-card /
//! card-to-host AXI4-Streams that the Xilinx XDMA IP presents in streaming mode, routed to
//! the kernel. A real card instantiates XDMA and connects its `m_axil_*` (to `csr_*`),
//! `m_axis_h2c_*_0` (to `h2c_*`), `s_axis_c2h_*_0` (to `c2h_*`) and `usr_irq_req` (to
//! `irq`) — no custom DMA logic.
//!
//! Two or three engines sit behind the same CSR block and streams: the elementwise kernel
//! (with the NTT path), the G1 MSM unit and, on presets with `msm_g2_adders`, the G2 MSM
//! unit (the same Pippenger unit over the Fq2 adder, with its own base memory).
//! JOB_OPCODE selects which one gets CONTROL.start, the streams, STATUS and the
//! performance counters; `PW` is the width of the curve's base field (the MSM unit's
//! points).

use super::checksum;
use super::copy::CopyEngine;
use super::csr::{CsrBlock, CsrConstants};
use super::kernel::{ElementwiseKernel, BEAT_BITS};
use super::memory::MemoryPort;
use super::regs::Opcode;
use super::regs::{HwError, JobMem, Status};
use crate::msm::{MsmConfig, MsmUnit};
use crate::preset::Preset;
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

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
    /// Job queue 1's streams (XDMA channel 1): the G2 MSM engine's, where there is one.
    pub h2c1_tdata: Signal<In, Bits<BEAT_BITS>>,
    pub h2c1_tvalid: Signal<In, Bit>,
    pub h2c1_tlast: Signal<In, Bit>,
    pub h2c1_tready: Signal<Out, Bit>,
    pub c2h1_tdata: Signal<Out, Bits<BEAT_BITS>>,
    pub c2h1_tvalid: Signal<Out, Bit>,
    pub c2h1_tlast: Signal<Out, Bit>,
    pub c2h1_tready: Signal<In, Bit>,
    /// AXI4 master to card memory (the memory controller's slave port).
    pub m_araddr: Signal<Out, Bits<64>>,
    pub m_arlen: Signal<Out, Bits<8>>,
    pub m_arvalid: Signal<Out, Bit>,
    pub m_arready: Signal<In, Bit>,
    pub m_rdata: Signal<In, Bits<BEAT_BITS>>,
    pub m_rresp: Signal<In, Bits<2>>,
    pub m_rlast: Signal<In, Bit>,
    pub m_rvalid: Signal<In, Bit>,
    pub m_rready: Signal<Out, Bit>,
    pub m_awaddr: Signal<Out, Bits<64>>,
    pub m_awlen: Signal<Out, Bits<8>>,
    pub m_awvalid: Signal<Out, Bit>,
    pub m_awready: Signal<In, Bit>,
    pub m_wdata: Signal<Out, Bits<BEAT_BITS>>,
    pub m_wlast: Signal<Out, Bit>,
    pub m_wvalid: Signal<Out, Bit>,
    pub m_wready: Signal<In, Bit>,
    pub m_bresp: Signal<In, Bits<2>>,
    pub m_bvalid: Signal<In, Bit>,
    pub m_bready: Signal<Out, Bit>,
    csr: CsrBlock,
    kernel: ElementwiseKernel,
    msm: MsmUnit<PW, PW2>,
    msm_sel: Signal<Local, Bit>,
    /// The G2 MSM unit, if the preset has one (`msm_g2$0`), and job queue 1 that drives
    /// it: its register bank (`csr1$0`, BAR0 offsets from 0x1000 on), a queue-level error
    /// (an opcode not the G2 engine's, JOB_MEM set) and its streams' checksums.
    msm_g2: Vec<MsmUnit<PW, PW2>>,
    csr1: Vec<CsrBlock>,
    g2_sel: Signal<Local, Bit>,
    q1_err: DFF<Bits<8>>,
    q1_status: Signal<Local, Bits<32>>,
    q1_done: Signal<Local, Bit>,
    h2c1_sum: DFF<Bits<32>>,
    c2h1_sum: DFF<Bits<32>>,
    /// AXI4-Lite address bit 12: the write / read is for queue 1's bank.
    aw_q1: Signal<Local, Bit>,
    ar_q1: Signal<Local, Bit>,
    /// The copy engine and the card-memory port.
    copy: CopyEngine,
    copy_sel: Signal<Local, Bit>,
    /// CONTROL.start queues a job behind the kernel's running one.
    queued_start: Signal<Local, Bit>,
    mem: MemoryPort,
    /// The engines' input stream (host-to-card or card memory) and output stream
    /// (card-to-host or card memory), as JOB_MEM routes them.
    in_tdata: Signal<Local, Bits<BEAT_BITS>>,
    in_tvalid: Signal<Local, Bit>,
    in_tlast: Signal<Local, Bit>,
    in_tready: Signal<Local, Bit>,
    out_tdata: Signal<Local, Bits<BEAT_BITS>>,
    out_tvalid: Signal<Local, Bit>,
    out_tlast: Signal<Local, Bit>,
    out_tready: Signal<Local, Bit>,
    src_card: Signal<Local, Bit>,
    dst_card: Signal<Local, Bit>,
    /// The selected engine's done and status, before the memory port's part.
    engine_done: Signal<Local, Bit>,
    engine_status: Signal<Local, Bits<32>>,
    mem_err: Signal<Local, Bits<8>>,
    /// The job's error: the memory port's if any, else the engine's.
    job_err: Signal<Local, Bits<8>>,
    /// The selected engine's done.
    done: Signal<Local, Bit>,
    /// PERF_H2C_SUM / PERF_C2H_SUM: checksums of the beats of the current job.
    h2c_sum: DFF<Bits<32>>,
    c2h_sum: DFF<Bits<32>>,
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

/// The AXI4 master's ports: (name, board input?), the same on the board and its memory
/// port.
const AXI_PORTS: [(&str, bool); 20] = [
    ("m_araddr", false),
    ("m_arlen", false),
    ("m_arvalid", false),
    ("m_arready", true),
    ("m_rdata", true),
    ("m_rresp", true),
    ("m_rlast", true),
    ("m_rvalid", true),
    ("m_rready", false),
    ("m_awaddr", false),
    ("m_awlen", false),
    ("m_awvalid", false),
    ("m_awready", true),
    ("m_wdata", false),
    ("m_wlast", false),
    ("m_wvalid", false),
    ("m_wready", true),
    ("m_bresp", true),
    ("m_bvalid", true),
    ("m_bready", false),
];

impl<const PW: usize, const PW2: usize> Board<PW, PW2> {
    pub fn new(preset: &Preset) -> Self {
        let msm = MsmUnit::new(&preset.msm());
        let msm_g2: Vec<MsmUnit<PW, PW2>> = preset.msm_g2().iter().map(MsmUnit::new).collect();
        let kernel = ElementwiseKernel::new(&preset.kernel(), &preset.ntt());
        let ntt = kernel.ntt();
        let g2_geometry = msm_g2.first().map(|u| (u.geometry(), u.reduce_plan()));
        let caps = CsrConstants::of(
            preset,
            kernel.latency(),
            ntt,
            (&msm.geometry(), msm.reduce_plan()),
            g2_geometry.as_ref().map(|(g, p)| (g, *p)),
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
            h2c1_tdata: Default::default(),
            h2c1_tvalid: Default::default(),
            h2c1_tlast: Default::default(),
            h2c1_tready: Default::default(),
            c2h1_tdata: Default::default(),
            c2h1_tvalid: Default::default(),
            c2h1_tlast: Default::default(),
            c2h1_tready: Default::default(),
            m_araddr: Default::default(),
            m_arlen: Default::default(),
            m_arvalid: Default::default(),
            m_arready: Default::default(),
            m_rdata: Default::default(),
            m_rresp: Default::default(),
            m_rlast: Default::default(),
            m_rvalid: Default::default(),
            m_rready: Default::default(),
            m_awaddr: Default::default(),
            m_awlen: Default::default(),
            m_awvalid: Default::default(),
            m_awready: Default::default(),
            m_wdata: Default::default(),
            m_wlast: Default::default(),
            m_wvalid: Default::default(),
            m_wready: Default::default(),
            m_bresp: Default::default(),
            m_bvalid: Default::default(),
            m_bready: Default::default(),
            csr1: msm_g2.iter().map(|_| CsrBlock::new(&caps)).collect(),
            q1_err: Default::default(),
            q1_status: Default::default(),
            q1_done: Default::default(),
            h2c1_sum: Default::default(),
            c2h1_sum: Default::default(),
            aw_q1: Default::default(),
            ar_q1: Default::default(),
            csr: CsrBlock::new(&caps),
            kernel,
            msm,
            msm_sel: Default::default(),
            msm_g2,
            g2_sel: Default::default(),
            copy: CopyEngine::new(preset.max_job_elements),
            copy_sel: Default::default(),
            queued_start: Default::default(),
            mem: MemoryPort::new(&preset.card_memory, preset.ntt_log_size),
            in_tdata: Default::default(),
            in_tvalid: Default::default(),
            in_tlast: Default::default(),
            in_tready: Default::default(),
            out_tdata: Default::default(),
            out_tvalid: Default::default(),
            out_tlast: Default::default(),
            out_tready: Default::default(),
            src_card: Default::default(),
            dst_card: Default::default(),
            engine_done: Default::default(),
            engine_status: Default::default(),
            mem_err: Default::default(),
            job_err: Default::default(),
            done: Default::default(),
            h2c_sum: Default::default(),
            c2h_sum: Default::default(),
        }
    }

    /// The G2 MSM unit's geometry (None: no G2 engine).
    pub fn msm_g2_geometry(&self) -> Option<MsmConfig> {
        self.msm_g2.first().map(|u| u.geometry())
    }

    pub fn msm_geometry(&self) -> MsmConfig {
        self.msm.geometry()
    }

    /// Cycles from an accepted input beat to its output beat.
    pub fn latency(&self) -> usize {
        self.kernel.latency()
    }
}

/// The checksums of a queue's two streams (`h2c{queue}_t*`, `c2h{queue}_t*`, every beat
/// whichever engine takes it) into its register bank's PERF_H2C_SUM / PERF_C2H_SUM,
/// cleared when the queue's job starts or resets.
fn stream_checksums(queue: &str, bank: &str, new_job: Expr) -> Vec<Stmt> {
    let mut s = vec![];
    for dir in ["h2c", "c2h"] {
        let (reg, stream) = (format!("{dir}{queue}_sum"), format!("{dir}{queue}"));
        s.extend(checksum::update(
            &reg,
            new_job.clone(),
            and(
                sig(format!("{stream}_tvalid")),
                sig(format!("{stream}_tready")),
            ),
            sig(format!("{stream}_tdata")),
        ));
        s.push(assign(format!("{bank}$perf_{dir}_sum"), q(&reg)));
    }
    s
}

/// Queue 0's start and streams for engine `unit` while its opcodes are selected (`sel`):
/// the engine sees CONTROL.start, the input stream's beats and the output's ready only
/// for its own jobs.
fn selected_engine(unit: &str, sel: &str) -> Vec<Stmt> {
    let port = |p: &str| format!("{unit}${p}");
    vec![
        assign(port("start"), and(sig("csr$start"), sig(sel))),
        assign(port("h2c_tdata"), sig("in_tdata")),
        assign(port("h2c_tlast"), sig("in_tlast")),
        assign(port("h2c_tvalid"), and(sig("in_tvalid"), sig(sel))),
        assign(port("c2h_tready"), and(sig("out_tready"), sig(sel))),
    ]
}

/// An MSM unit's job inputs and the CSR outputs they come from.
const MSM_LINKS: [(&str, &str); 6] = [
    ("soft_reset", "soft_reset"),
    ("opcode", "opcode"),
    ("count", "count"),
    ("offset", "msm_offset"),
    ("fault", "fault_inject"),
    ("flags", "msm_flags"),
];

impl<const PW: usize, const PW2: usize> Board<PW, PW2> {
    /// The AXI4-Lite port split between queue 0's register bank (`csr`, offsets below
    /// 0x1000) and queue 1's (`csr1$0`, from 0x1000: address bit 12). Each bank answers
    /// only the accesses it takes; the host has one access outstanding at a time.
    fn split_csr_bus(&self) -> Vec<Stmt> {
        let mut s = vec![];
        let q1_bit = (zkpipe_spec::regs::QUEUE_STRIDE as u64).trailing_zeros() as usize;
        s.push(assign("aw_q1", index(sig("csr_awaddr"), q1_bit)));
        s.push(assign("ar_q1", index(sig("csr_araddr"), q1_bit)));
        let in_bank = lit_u(zkpipe_spec::regs::QUEUE_STRIDE as u64 - 1, 16);
        for (board, csr, input) in CSR_PORTS {
            let (q0, q1) = (format!("csr${csr}"), format!("csr1$0${csr}"));
            if input {
                let (v0, v1) = match csr {
                    "awvalid" | "wvalid" => (
                        and(sig(board), not(sig("aw_q1"))),
                        and(sig(board), sig("aw_q1")),
                    ),
                    "arvalid" => (
                        and(sig(board), not(sig("ar_q1"))),
                        and(sig(board), sig("ar_q1")),
                    ),
                    "awaddr" | "araddr" => (sig(board), and(sig(board), in_bank.clone())),
                    _ => (sig(board), sig(board)),
                };
                s.push(assign(q0, v0));
                s.push(assign(q1, v1));
            } else if csr == "rdata" {
                s.push(mux_assign(board, sig("csr1$0$rvalid"), sig(q1), sig(q0)));
            } else {
                s.push(assign(board, or(sig(q0), sig(q1))));
            }
        }
        s
    }

    /// Job queue 1: the G2 MSM unit driven by its own register bank and XDMA channel 1.
    /// A start with another engine's opcode or with JOB_MEM set fails on the queue
    /// (errors 1 and 9) without starting the unit.
    fn queue1(&self) -> Vec<Stmt> {
        let mut s = vec![];
        let csr1 = |p: &str| sig(format!("csr1$0${p}"));
        let op = |o: Opcode| eq(csr1("opcode"), lit_u(o as u64, 32));
        s.push(assign(
            "g2_sel",
            or(op(Opcode::MsmG2Load), op(Opcode::MsmG2Run)),
        ));
        let mem_routed = any(slice(csr1("mem_cfg"), 0, 2));
        s.push(assign(
            "msm_g2$0$start",
            and_all([csr1("start"), sig("g2_sel"), not(mem_routed.clone())]),
        ));
        s.push(assign("msm_g2$0$clock", sig("clock")));
        for (p, csr) in MSM_LINKS {
            s.push(assign(format!("msm_g2$0${p}"), csr1(csr)));
        }
        // Either bank's soft reset resets the unit (queue 0's resets the whole board).
        s.push(assign(
            "msm_g2$0$soft_reset",
            or(csr1("soft_reset"), sig("csr$soft_reset")),
        ));
        for p in ["tdata", "tlast", "tvalid"] {
            s.push(assign(
                format!("msm_g2$0$h2c_{p}"),
                sig(format!("h2c1_{p}")),
            ));
        }
        s.push(assign("h2c1_tready", sig("msm_g2$0$h2c_tready")));
        for p in ["tdata", "tlast", "tvalid"] {
            s.push(assign(
                format!("c2h1_{p}"),
                sig(format!("msm_g2$0$c2h_{p}")),
            ));
        }
        s.push(assign("msm_g2$0$c2h_tready", sig("c2h1_tready")));
        s.push(clock_only("q1_err"));
        s.push(if_else(
            or(csr1("start"), csr1("soft_reset")),
            vec![if_else(
                and(csr1("start"), not(sig("g2_sel"))),
                vec![assign(d("q1_err"), lit_u(HwError::UnknownOpcode as u64, 8))],
                vec![if_else(
                    and(csr1("start"), mem_routed),
                    vec![assign(d("q1_err"), lit_u(HwError::BadMemoryJob as u64, 8))],
                    vec![assign(d("q1_err"), lit_u(0, 8))],
                )],
            )],
            vec![assign(d("q1_err"), q("q1_err"))],
        ));
        s.push(assign("q1_done", sig("msm_g2$0$done")));
        let unit_status = sig("msm_g2$0$status");
        s.push(assign(
            "q1_status",
            or_all(
                [
                    field_at(Status::BUSY, field(unit_status.clone(), Status::BUSY)),
                    field_at(Status::DONE, sig("q1_done")),
                    field_at(
                        Status::ERROR,
                        or(q("q1_err"), field(unit_status, Status::ERROR)),
                    ),
                ],
                32,
            ),
        ));
        s.push(assign("csr1$0$status", sig("q1_status")));
        for p in ["perf_busy", "perf_in", "perf_out", "perf_stall"] {
            s.push(assign(format!("csr1$0${p}"), sig(format!("msm_g2$0${p}"))));
        }
        for (csr, unit) in [
            ("perf_msm_adds", "perf_adds"),
            ("perf_msm_deferrals", "perf_deferrals"),
            ("perf_msm_accum", "perf_accum"),
            ("perf_msm_adds_min", "perf_adds_min"),
            ("perf_msm_reduce", "perf_reduce"),
        ] {
            s.push(assign(
                format!("csr1$0${csr}"),
                sig(format!("msm_g2$0${unit}")),
            ));
        }
        let new_job = or(csr1("start"), csr1("soft_reset"));
        s.extend(stream_checksums("1", "csr1$0", new_job));
        s
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
            &mut self.h2c1_tready,
            &mut self.c2h1_tvalid,
            &mut self.c2h1_tlast,
        ] {
            s.connect();
        }
        self.csr_rdata.connect();
        self.c2h_tdata.connect();
        self.c2h1_tdata.connect();
        for s in [
            &mut self.m_arvalid,
            &mut self.m_rready,
            &mut self.m_awvalid,
            &mut self.m_wlast,
            &mut self.m_wvalid,
            &mut self.m_bready,
        ] {
            s.connect();
        }
        self.m_araddr.connect();
        self.m_arlen.connect();
        self.m_awaddr.connect();
        self.m_awlen.connect();
        self.m_wdata.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut s = vec![];
        let has_q1 = !self.csr1.is_empty();
        if has_q1 {
            s.extend(self.split_csr_bus());
        } else {
            for (board, csr, input) in CSR_PORTS {
                let (child, parent) = (format!("csr${csr}"), board.to_string());
                s.push(if input {
                    assign(child, sig(parent))
                } else {
                    assign(parent, sig(child))
                });
            }
        }
        for link in LINKS {
            s.push(assign(format!("kernel${link}"), sig(format!("csr${link}"))));
        }
        // JOB_MEM routes the engines' streams: input from the host-to-card stream or card
        // memory, output to the card-to-host stream or card memory.
        s.push(assign(
            "src_card",
            field(sig("csr$mem_cfg"), JobMem::SRC_CARD),
        ));
        s.push(assign(
            "dst_card",
            field(sig("csr$mem_cfg"), JobMem::DST_CARD),
        ));
        for p in ["tdata", "tvalid", "tlast"] {
            s.push(mux_assign(
                &format!("in_{p}"),
                sig("src_card"),
                sig(format!("mem$rd_{p}")),
                sig(format!("h2c_{p}")),
            ));
        }
        s.push(assign(
            "h2c_tready",
            and(sig("in_tready"), not(sig("src_card"))),
        ));
        s.push(assign(
            "mem$rd_tready",
            and(sig("in_tready"), sig("src_card")),
        ));
        s.push(assign("c2h_tdata", sig("out_tdata")));
        s.push(assign("c2h_tlast", sig("out_tlast")));
        s.push(assign(
            "c2h_tvalid",
            and(sig("out_tvalid"), not(sig("dst_card"))),
        ));
        s.push(assign("mem$wr_tdata", sig("out_tdata")));
        s.push(assign(
            "mem$wr_tvalid",
            and(sig("out_tvalid"), sig("dst_card")),
        ));
        s.push(mux_assign(
            "out_tready",
            sig("dst_card"),
            sig("mem$wr_tready"),
            sig("c2h_tready"),
        ));
        for (port, csr) in [
            ("clock", "clock"),
            ("soft_reset", "soft_reset"),
            ("mem_cfg", "mem_cfg"),
            ("src_addr", "src_addr"),
            ("dst_addr", "dst_addr"),
            ("src_beats", "src_beats"),
            ("dst_beats", "dst_beats"),
            ("src_row_stride", "src_stride"),
        ] {
            s.push(assign(format!("mem${port}"), sig(format!("csr${csr}"))));
        }
        s.push(assign(
            "mem$start",
            and(sig("csr$start"), not(sig("csr$append"))),
        ));
        s.push(assign("mem$engine_done", sig("engine_done")));
        for (port, input) in AXI_PORTS {
            let (child, parent) = (format!("mem${port}"), port.to_string());
            s.push(if input {
                assign(child, sig(parent))
            } else {
                assign(parent, sig(child))
            });
        }
        for port in ["tdata", "tlast"] {
            s.push(assign(
                format!("kernel$h2c_{port}"),
                sig(format!("in_{port}")),
            ));
        }
        // The MSM units and the copy engine: each selected by its opcodes; the kernel sees
        // neither their start nor their stream beats.
        let op = |o: Opcode| eq(sig("csr$opcode"), lit_u(o as u64, 32));
        s.push(assign(
            "msm_sel",
            or(op(Opcode::MsmLoad), op(Opcode::MsmRun)),
        ));
        s.push(assign("copy_sel", op(Opcode::Copy)));
        let not_kernel = or(sig("msm_sel"), sig("copy_sel"));
        s.push(assign("msm$clock", sig("clock")));
        for (p, csr) in MSM_LINKS {
            s.push(assign(format!("msm${p}"), sig(format!("csr${csr}"))));
        }
        s.extend(selected_engine("msm", "msm_sel"));
        for p in ["clock", "soft_reset", "count"] {
            s.push(assign(format!("copy${p}"), sig(format!("csr${p}"))));
        }
        s.extend(selected_engine("copy", "copy_sel"));
        s.push(assign(
            "kernel$start",
            and(sig("csr$start"), not(not_kernel.clone())),
        ));
        // A START with CONTROL.append continues the kernel's run of jobs (or is error 11,
        // the kernel decides): it neither clears the stream checksums, which cover the
        // whole run, nor starts the memory port (only host-stream jobs are appended).
        s.push(assign("kernel$append", sig("csr$append")));
        s.push(assign(
            "kernel$chainable",
            eq(sig("csr$mem_cfg"), lit_u(0, 32)),
        ));
        s.push(assign(
            "queued_start",
            and(sig("csr$start"), sig("csr$append")),
        ));
        s.push(assign(
            "kernel$h2c_tvalid",
            and(sig("in_tvalid"), not(not_kernel.clone())),
        ));
        s.push(assign(
            "kernel$c2h_tready",
            and(sig("out_tready"), not(not_kernel)),
        ));
        // Outputs from the selected engine: the copy engine, the G1 unit, else
        // the kernel (ports the copy engine lacks read the MSM unit's).
        let pick = |dst: &str, msm_port: &str, kernel_port: Option<&str>| {
            let g1 = match kernel_port {
                Some(k) => mux_assign(
                    dst,
                    sig("msm_sel"),
                    sig(format!("msm${msm_port}")),
                    sig(format!("kernel${k}")),
                ),
                None => assign(dst, sig(format!("msm${msm_port}"))),
            };
            match kernel_port {
                Some(k) => if_else(
                    sig("copy_sel"),
                    vec![assign(dst, sig(format!("copy${k}")))],
                    vec![g1],
                ),
                None => g1,
            }
        };
        s.push(pick("engine_status", "status", Some("status")));
        for p in ["perf_busy", "perf_in", "perf_out", "perf_stall"] {
            s.push(pick(&format!("csr${p}"), p, Some(p)));
        }
        for (csr, unit) in [
            ("perf_msm_adds", "perf_adds"),
            ("perf_msm_deferrals", "perf_deferrals"),
            ("perf_msm_accum", "perf_accum"),
            ("perf_msm_adds_min", "perf_adds_min"),
            ("perf_msm_reduce", "perf_reduce"),
        ] {
            s.push(pick(&format!("csr${csr}"), unit, None));
        }
        for (board, engine) in [
            ("in_tready", "h2c_tready"),
            ("out_tdata", "c2h_tdata"),
            ("out_tvalid", "c2h_tvalid"),
            ("out_tlast", "c2h_tlast"),
        ] {
            s.push(pick(board, engine, Some(engine)));
        }
        s.push(pick("engine_done", "done", Some("done")));
        // A job writing card memory is done when its last write is acknowledged; the
        // memory port's error, if any, is the job's.
        s.push(assign(
            "done",
            and(sig("engine_done"), sig("mem$writes_done")),
        ));
        s.push(assign("mem_err", sig("mem$error")));
        s.push(mux_assign(
            "job_err",
            any(sig("mem_err")),
            sig("mem_err"),
            field(sig("engine_status"), Status::ERROR),
        ));
        s.push(assign(
            "csr$status",
            or_all(
                [
                    field_at(
                        Status::BUSY,
                        or(field(sig("engine_status"), Status::BUSY), sig("mem$busy")),
                    ),
                    field_at(Status::DONE, sig("done")),
                    field_at(Status::ERROR, sig("job_err")),
                    field_at(
                        Status::WAITING,
                        field(sig("engine_status"), Status::WAITING),
                    ),
                    field_at(
                        Status::JOBS_DONE,
                        field(sig("engine_status"), Status::JOBS_DONE),
                    ),
                ],
                32,
            ),
        ));
        // A job ends, or a queued job leaves the waiting slot (the host may queue the next).
        let irq0 = and(or(sig("done"), sig("kernel$freed")), sig("csr$irq_enable"));
        if has_q1 {
            s.extend(self.queue1());
            s.push(assign(
                "irq",
                or(irq0, and(sig("q1_done"), sig("csr1$0$irq_enable"))),
            ));
        } else {
            s.push(assign("irq", irq0));
            s.push(assign("h2c1_tready", bit(false)));
            s.push(assign("c2h1_tvalid", bit(false)));
            s.push(assign("c2h1_tlast", bit(false)));
            s.push(assign("c2h1_tdata", lit_u(0, BEAT_BITS)));
        }
        // The stream checksums, over every beat either way whichever engine takes it.
        let new_job = or(
            and(sig("csr$start"), not(sig("queued_start"))),
            sig("csr$soft_reset"),
        );
        s.extend(stream_checksums("", "csr", new_job));
        comb(s)
    }
}
