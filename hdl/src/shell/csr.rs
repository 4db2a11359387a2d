//! The CSR block: an AXI4-Lite slave (32-bit data, 16-bit address; no WSTRB/PROT, responses
//! always OKAY) holding the registers of [`super::regs`].
//!
//! Writes are taken when address and data are both valid (AWREADY = WREADY = both valid and
//! no response pending); the response follows the next cycle. Reads return the next cycle.
//! The read multiplexer and the write decoder are generated from [`REGISTERS`], the same
//! table the driver and `docs/REGISTERS.md` use.

use super::regs::*;
use crate::rtl::*;
use rust_hdl::core::prelude::*;
use rust_hdl::widgets::prelude::DFF;

/// Read-only identification values of a board, fixed at generation time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrConstants {
    pub curve: u32,
    pub beat_bits: u32,
    pub max_count: u32,
    pub preset_hash: u32,
    pub opcodes: u32,
    pub latency: u32,
    pub clock_khz: u32,
    pub ntt: u32,
    pub msm: u32,
    pub msm_bases: u32,
    /// CAPS_MSM_REDUCE: reduction groups per window (0: the host reduces), issue interval.
    pub msm_reduce: u32,
    /// CAPS_MSM_G2, CAPS_MSM_G2_BASES, CAPS_MSM_G2_REDUCE (all 0: no G2 engine).
    pub msm_g2: u32,
    pub msm_g2_bases: u32,
    pub msm_g2_reduce: u32,
    /// CAPS_CARD_MEMORY: card memory in MiB.
    pub card_memory: u32,
    /// CAPS_QUEUES: job queues (2 with a G2 engine: queue 1 is its own).
    pub queues: u32,
    /// CAPS_KERNEL_SLOTS: jobs queue 0's kernel holds at once (a running ntt job and one
    /// queued behind it) and jobs its NTT path holds.
    pub kernel_slots: u32,
}

/// An MSM engine's geometry and reduction plan, as [`CsrConstants::of`] takes them.
pub type MsmCaps<'a> = (
    &'a crate::preset::MsmConfig,
    Option<crate::preset::ReducePlan>,
);

/// CAPS_MSM_REDUCE of an engine: its reduction groups and its adders' issue interval.
fn reduce_caps(msm: &crate::preset::MsmConfig, plan: Option<crate::preset::ReducePlan>) -> u32 {
    zkpipe_spec::regs::CapsMsmReduce::new(plan.map_or(0, |p| p.groups as u32), msm.interval as u32)
        .encode()
}

impl CsrConstants {
    /// The values a board of `preset` holds, given its elementwise latency, NTT path and
    /// MSM geometry and reduction plan (the board top and [`crate::timing`] both use this).
    pub fn of(
        preset: &crate::preset::Preset,
        latency: usize,
        ntt: &crate::ntt::NttPath,
        (msm, msm_reduce): MsmCaps,
        g2: Option<MsmCaps>,
    ) -> Self {
        let scalar = preset.curve.scalar_field().params();
        let base = preset.curve.base_field().params();
        CsrConstants {
            curve: CapsCurve {
                curve_id: preset.curve.id(),
                scalar_limbs: scalar.limbs as u32,
                base_limbs: base.limbs as u32,
            }
            .encode(),
            beat_bits: super::kernel::BEAT_BITS as u32,
            max_count: preset.max_job_elements,
            preset_hash: preset.hash(),
            opcodes: Opcode::ALL
                .iter()
                .filter(|o| g2.is_some() || !o.is_msm_g2())
                .map(|o| 1u32 << *o as u32)
                .sum(),
            latency: latency as u32,
            clock_khz: (preset.clock_mhz * 1000.0) as u32,
            ntt: CapsNtt {
                log_size: ntt.log_size() as u32,
                twiddle_log: ntt.twiddle_log() as u32,
                cores: 1,
            }
            .encode(),
            msm: msm.caps().encode(),
            msm_bases: msm.capacity() as u32,
            msm_reduce: reduce_caps(msm, msm_reduce),
            msm_g2: g2.map_or(0, |(g, _)| g.caps().encode()),
            msm_g2_bases: g2.map_or(0, |(g, _)| g.capacity() as u32),
            msm_g2_reduce: g2.map_or(0, |(g, p)| reduce_caps(g, p)),
            card_memory: preset.card_memory.mib(),
            queues: if g2.is_some() { 2 } else { 1 },
            kernel_slots: zkpipe_spec::regs::CapsKernel {
                slots: 2,
                in_path: super::kernel::JOBS_IN_PATH as u32,
            }
            .encode(),
        }
    }

    /// The identification registers as (offset, value), in the order the block decodes them.
    pub fn registers(&self) -> Vec<(u32, u32)> {
        vec![
            (ID, MAGIC),
            (REG_VERSION, VERSION),
            (CAPS_CURVE, self.curve),
            (CAPS_BEAT_BITS, self.beat_bits),
            (CAPS_MAX_COUNT, self.max_count),
            (CAPS_PRESET_HASH, self.preset_hash),
            (CAPS_OPCODES, self.opcodes),
            (CAPS_LATENCY, self.latency),
            (CAPS_CLOCK_KHZ, self.clock_khz),
            (CAPS_NTT, self.ntt),
            (CAPS_MSM, self.msm),
            (CAPS_MSM_BASES, self.msm_bases),
            (CAPS_MSM_REDUCE, self.msm_reduce),
            (CAPS_MSM_G2, self.msm_g2),
            (CAPS_MSM_G2_BASES, self.msm_g2_bases),
            (CAPS_MSM_G2_REDUCE, self.msm_g2_reduce),
            (CAPS_CARD_MEMORY, self.card_memory),
            (CAPS_QUEUES, self.queues),
            (CAPS_KERNEL_SLOTS, self.kernel_slots),
        ]
    }
}

#[derive(LogicBlock)]
pub struct CsrBlock {
    pub clock: Signal<In, Clock>,
    pub awvalid: Signal<In, Bit>,
    pub awaddr: Signal<In, Bits<16>>,
    pub awready: Signal<Out, Bit>,
    pub wvalid: Signal<In, Bit>,
    pub wdata: Signal<In, Bits<32>>,
    pub wready: Signal<Out, Bit>,
    pub bvalid: Signal<Out, Bit>,
    pub bready: Signal<In, Bit>,
    pub arvalid: Signal<In, Bit>,
    pub araddr: Signal<In, Bits<16>>,
    pub arready: Signal<Out, Bit>,
    pub rvalid: Signal<Out, Bit>,
    pub rdata: Signal<Out, Bits<32>>,
    pub rready: Signal<In, Bit>,
    pub start: Signal<Out, Bit>,
    /// With `start`: the job is appended to the current run (CONTROL.append).
    pub append: Signal<Out, Bit>,
    pub soft_reset: Signal<Out, Bit>,
    pub irq_enable: Signal<Out, Bit>,
    pub opcode: Signal<Out, Bits<32>>,
    pub count: Signal<Out, Bits<32>>,
    pub ntt_cfg: Signal<Out, Bits<32>>,
    pub ntt_row: Signal<Out, Bits<32>>,
    pub msm_offset: Signal<Out, Bits<32>>,
    pub msm_flags: Signal<Out, Bits<32>>,
    pub fault_inject: Signal<Out, Bits<32>>,
    pub param: Signal<Out, Bits<256>>,
    /// JOB_MEM and the card-memory job registers (addresses joined to 64 bits).
    pub mem_cfg: Signal<Out, Bits<32>>,
    pub src_addr: Signal<Out, Bits<64>>,
    pub dst_addr: Signal<Out, Bits<64>>,
    pub src_beats: Signal<Out, Bits<32>>,
    pub dst_beats: Signal<Out, Bits<32>>,
    pub src_stride: Signal<Out, Bits<64>>,
    pub status: Signal<In, Bits<32>>,
    pub perf_busy: Signal<In, Bits<32>>,
    pub perf_in: Signal<In, Bits<32>>,
    pub perf_out: Signal<In, Bits<32>>,
    pub perf_stall: Signal<In, Bits<32>>,
    pub perf_msm_adds: Signal<In, Bits<32>>,
    pub perf_msm_deferrals: Signal<In, Bits<32>>,
    pub perf_msm_accum: Signal<In, Bits<32>>,
    pub perf_msm_adds_min: Signal<In, Bits<32>>,
    pub perf_msm_reduce: Signal<In, Bits<32>>,
    pub perf_h2c_sum: Signal<In, Bits<32>>,
    pub perf_c2h_sum: Signal<In, Bits<32>>,
    caps: Vec<Constant<Bits<32>>>,
    take_write: Signal<Local, Bit>,
    take_read: Signal<Local, Bit>,
    opcode_r: DFF<Bits<32>>,
    count_r: DFF<Bits<32>>,
    ntt_cfg_r: DFF<Bits<32>>,
    ntt_row_r: DFF<Bits<32>>,
    msm_offset_r: DFF<Bits<32>>,
    msm_flags_r: DFF<Bits<32>>,
    fault_r: DFF<Bits<32>>,
    param_r: Vec<DFF<Bits<32>>>,
    mem_r: DFF<Bits<32>>,
    src_lo_r: DFF<Bits<32>>,
    src_hi_r: DFF<Bits<32>>,
    dst_lo_r: DFF<Bits<32>>,
    dst_hi_r: DFF<Bits<32>>,
    src_beats_r: DFF<Bits<32>>,
    dst_beats_r: DFF<Bits<32>>,
    stride_lo_r: DFF<Bits<32>>,
    stride_hi_r: DFF<Bits<32>>,
    irq_en_r: DFF<Bit>,
    start_r: DFF<Bit>,
    append_r: DFF<Bit>,
    reset_r: DFF<Bit>,
    bvalid_r: DFF<Bit>,
    rvalid_r: DFF<Bit>,
    rdata_r: DFF<Bits<32>>,
    _caps: Vec<(u32, u32)>,
}

impl CsrBlock {
    pub fn new(caps: &CsrConstants) -> Self {
        let values = caps.registers();
        Self {
            clock: Default::default(),
            awvalid: Default::default(),
            awaddr: Default::default(),
            awready: Default::default(),
            wvalid: Default::default(),
            wdata: Default::default(),
            wready: Default::default(),
            bvalid: Default::default(),
            bready: Default::default(),
            arvalid: Default::default(),
            araddr: Default::default(),
            arready: Default::default(),
            rvalid: Default::default(),
            rdata: Default::default(),
            rready: Default::default(),
            start: Default::default(),
            append: Default::default(),
            soft_reset: Default::default(),
            irq_enable: Default::default(),
            opcode: Default::default(),
            count: Default::default(),
            ntt_cfg: Default::default(),
            ntt_row: Default::default(),
            msm_offset: Default::default(),
            msm_flags: Default::default(),
            fault_inject: Default::default(),
            param: Default::default(),
            mem_cfg: Default::default(),
            src_addr: Default::default(),
            dst_addr: Default::default(),
            src_beats: Default::default(),
            dst_beats: Default::default(),
            src_stride: Default::default(),
            status: Default::default(),
            perf_busy: Default::default(),
            perf_in: Default::default(),
            perf_out: Default::default(),
            perf_stall: Default::default(),
            perf_msm_adds: Default::default(),
            perf_msm_deferrals: Default::default(),
            perf_msm_accum: Default::default(),
            perf_msm_adds_min: Default::default(),
            perf_msm_reduce: Default::default(),
            perf_h2c_sum: Default::default(),
            perf_c2h_sum: Default::default(),
            caps: values
                .iter()
                .map(|&(_, v)| Constant::new(bits(v as u64)))
                .collect(),
            take_write: Default::default(),
            take_read: Default::default(),
            opcode_r: Default::default(),
            count_r: Default::default(),
            ntt_cfg_r: Default::default(),
            ntt_row_r: Default::default(),
            msm_offset_r: Default::default(),
            msm_flags_r: Default::default(),
            fault_r: Default::default(),
            param_r: (0..PARAM_WORDS).map(|_| Default::default()).collect(),
            mem_r: Default::default(),
            src_lo_r: Default::default(),
            src_hi_r: Default::default(),
            dst_lo_r: Default::default(),
            dst_hi_r: Default::default(),
            src_beats_r: Default::default(),
            dst_beats_r: Default::default(),
            stride_lo_r: Default::default(),
            stride_hi_r: Default::default(),
            irq_en_r: Default::default(),
            start_r: Default::default(),
            append_r: Default::default(),
            reset_r: Default::default(),
            bvalid_r: Default::default(),
            rvalid_r: Default::default(),
            rdata_r: Default::default(),
            _caps: values,
        }
    }

    /// Where a readable register's value comes from: (Verilog expression, Rust value).
    fn source(&self, offset: u32) -> (Expr, u64) {
        if let Some(i) = self._caps.iter().position(|&(o, _)| o == offset) {
            return (sig(format!("caps${i}")), self._caps[i].1 as u64);
        }
        let param = (JOB_PARAM0..=JOB_PARAM7)
            .step_by(4)
            .position(|o| o == offset);
        if let Some(k) = param {
            return (
                sig(format!("param_r${k}$q")),
                self.param_r[k].q.val().to_u64(),
            );
        }
        if let Some(r) = Self::sink(offset).filter(|r| MEMORY_REGS.contains(&r.as_str())) {
            return (q(&r), 0);
        }
        match offset {
            STATUS => (sig("status"), self.status.val().to_u64()),
            IRQ_ENABLE => (cast(sig("irq_en_r$q"), 32), self.irq_en_r.q.val() as u64),
            JOB_OPCODE => (sig("opcode_r$q"), self.opcode_r.q.val().to_u64()),
            JOB_COUNT => (sig("count_r$q"), self.count_r.q.val().to_u64()),
            JOB_NTT => (sig("ntt_cfg_r$q"), self.ntt_cfg_r.q.val().to_u64()),
            JOB_NTT_ROW => (sig("ntt_row_r$q"), self.ntt_row_r.q.val().to_u64()),
            JOB_MSM_OFFSET => (sig("msm_offset_r$q"), self.msm_offset_r.q.val().to_u64()),
            FAULT_INJECT => (sig("fault_r$q"), self.fault_r.q.val().to_u64()),
            JOB_MSM_FLAGS => (sig("msm_flags_r$q"), self.msm_flags_r.q.val().to_u64()),
            PERF_BUSY_CYCLES => (sig("perf_busy"), self.perf_busy.val().to_u64()),
            PERF_BEATS_IN => (sig("perf_in"), self.perf_in.val().to_u64()),
            PERF_BEATS_OUT => (sig("perf_out"), self.perf_out.val().to_u64()),
            PERF_STALL_CYCLES => (sig("perf_stall"), self.perf_stall.val().to_u64()),
            PERF_MSM_ADDS => (sig("perf_msm_adds"), self.perf_msm_adds.val().to_u64()),
            PERF_MSM_DEFERRALS => (
                sig("perf_msm_deferrals"),
                self.perf_msm_deferrals.val().to_u64(),
            ),
            PERF_MSM_ACCUM_CYCLES => (sig("perf_msm_accum"), self.perf_msm_accum.val().to_u64()),
            PERF_MSM_ADDS_MIN => (
                sig("perf_msm_adds_min"),
                self.perf_msm_adds_min.val().to_u64(),
            ),
            PERF_MSM_REDUCE_CYCLES => (sig("perf_msm_reduce"), self.perf_msm_reduce.val().to_u64()),
            PERF_H2C_SUM => (sig("perf_h2c_sum"), self.perf_h2c_sum.val().to_u64()),
            PERF_C2H_SUM => (sig("perf_c2h_sum"), self.perf_c2h_sum.val().to_u64()),
            _ => (lit_u(0, 32), 0), // CONTROL and holes read as zero
        }
    }

    /// The register a write to `offset` lands in, if any (besides CONTROL).
    fn sink(offset: u32) -> Option<String> {
        match offset {
            IRQ_ENABLE => Some("irq_en_r".into()),
            JOB_OPCODE => Some("opcode_r".into()),
            JOB_COUNT => Some("count_r".into()),
            JOB_NTT => Some("ntt_cfg_r".into()),
            JOB_NTT_ROW => Some("ntt_row_r".into()),
            JOB_MSM_OFFSET => Some("msm_offset_r".into()),
            FAULT_INJECT => Some("fault_r".into()),
            JOB_MEM => Some("mem_r".into()),
            JOB_SRC_ADDR_LO => Some("src_lo_r".into()),
            JOB_SRC_ADDR_HI => Some("src_hi_r".into()),
            JOB_DST_ADDR_LO => Some("dst_lo_r".into()),
            JOB_DST_ADDR_HI => Some("dst_hi_r".into()),
            JOB_SRC_BEATS => Some("src_beats_r".into()),
            JOB_DST_BEATS => Some("dst_beats_r".into()),
            JOB_SRC_STRIDE_LO => Some("stride_lo_r".into()),
            JOB_SRC_STRIDE_HI => Some("stride_hi_r".into()),
            JOB_MSM_FLAGS => Some("msm_flags_r".into()),
            o if (JOB_PARAM0..=JOB_PARAM7).contains(&o) => {
                Some(format!("param_r${}", (o - JOB_PARAM0) / 4))
            }
            _ => None,
        }
    }
}

/// The card-memory job registers (read back as written).
const MEMORY_REGS: [&str; 9] = [
    "mem_r",
    "src_lo_r",
    "src_hi_r",
    "dst_lo_r",
    "dst_hi_r",
    "src_beats_r",
    "dst_beats_r",
    "stride_lo_r",
    "stride_hi_r",
];

const HELD: [&str; 13] = [
    "fault_r",
    "msm_flags_r",
    "opcode_r",
    "count_r",
    "ntt_cfg_r",
    "ntt_row_r",
    "msm_offset_r",
    "irq_en_r",
    "bvalid_r",
    "rvalid_r",
    "rdata_r",
    "start_r",
    "append_r",
];

impl Logic for CsrBlock {
    /// Not simulated by rust-hdl: the block's Verilog comes from `hdl()` and runs under
    /// Verilator, its one description (no hand-kept behavioural copy to drift from it).
    fn update(&mut self) {}

    fn connect(&mut self) {
        self.take_write.connect();
        self.take_read.connect();
        for s in [
            &mut self.awready,
            &mut self.wready,
            &mut self.bvalid,
            &mut self.arready,
            &mut self.rvalid,
            &mut self.start,
            &mut self.soft_reset,
            &mut self.irq_enable,
        ] {
            s.connect();
        }
        self.rdata.connect();
        self.opcode.connect();
        self.count.connect();
        self.ntt_cfg.connect();
        self.ntt_row.connect();
        self.msm_offset.connect();
        self.fault_inject.connect();
        self.msm_flags.connect();
        self.param.connect();
        self.mem_cfg.connect();
        self.src_addr.connect();
        self.dst_addr.connect();
        self.src_beats.connect();
        self.dst_beats.connect();
        self.src_stride.connect();
    }

    fn hdl(&self) -> Verilog {
        let mut s = vec![];
        s.push(assign(
            "take_write",
            and_all([sig("awvalid"), sig("wvalid"), not(sig("bvalid_r$q"))]),
        ));
        s.push(assign(
            "take_read",
            and(sig("arvalid"), not(sig("rvalid_r$q"))),
        ));
        for r in HELD.into_iter().chain(MEMORY_REGS).chain(["reset_r"]) {
            s.push(clock_only(r));
            s.push(assign(format!("{r}$d"), sig(format!("{r}$q"))));
        }
        for k in 0..PARAM_WORDS {
            let r = format!("param_r${k}");
            s.push(clock_only(&r));
            s.push(assign(format!("{r}$d"), sig(format!("{r}$q"))));
        }
        s.push(assign("start_r$d", bit(false)));
        s.push(assign("append_r$d", bit(false)));
        s.push(assign("reset_r$d", bit(false)));
        s.push(if_else(
            and(sig("bvalid_r$q"), sig("bready")),
            vec![assign("bvalid_r$d", bit(false))],
            vec![],
        ));
        s.push(if_else(
            and(sig("rvalid_r$q"), sig("rready")),
            vec![assign("rvalid_r$d", bit(false))],
            vec![],
        ));
        // Write decoder, from the register table.
        let mut writes = vec![assign("bvalid_r$d", bit(true))];
        for reg in REGISTERS {
            let hit = eq(sig("awaddr"), lit_u(reg.offset as u64, 16));
            if reg.offset == CONTROL {
                writes.push(if_else(
                    hit,
                    vec![
                        assign("start_r$d", field(sig("wdata"), Control::START)),
                        assign("append_r$d", field(sig("wdata"), Control::APPEND)),
                        assign("reset_r$d", field(sig("wdata"), Control::SOFT_RESET)),
                    ],
                    vec![],
                ));
            } else if let Some(r) = Self::sink(reg.offset) {
                let value = if r == "irq_en_r" {
                    field(sig("wdata"), IrqEnable::JOB_DONE)
                } else {
                    sig("wdata")
                };
                writes.push(if_else(hit, vec![assign(format!("{r}$d"), value)], vec![]));
            }
        }
        s.push(if_else(sig("take_write"), writes, vec![]));
        // Read multiplexer, from the register table.
        let mut reads = vec![
            assign("rvalid_r$d", bit(true)),
            assign("rdata_r$d", lit_u(0, 32)),
        ];
        for reg in REGISTERS {
            let hit = eq(sig("araddr"), lit_u(reg.offset as u64, 16));
            reads.push(if_else(
                hit,
                vec![assign("rdata_r$d", self.source(reg.offset).0)],
                vec![],
            ));
        }
        s.push(if_else(sig("take_read"), reads, vec![]));
        s.push(assign("awready", sig("take_write")));
        s.push(assign("wready", sig("take_write")));
        s.push(assign("bvalid", sig("bvalid_r$q")));
        s.push(assign("arready", sig("take_read")));
        s.push(assign("rvalid", sig("rvalid_r$q")));
        s.push(assign("rdata", sig("rdata_r$q")));
        s.push(assign("start", sig("start_r$q")));
        s.push(assign("append", sig("append_r$q")));
        s.push(assign("soft_reset", sig("reset_r$q")));
        s.push(assign("irq_enable", sig("irq_en_r$q")));
        s.push(assign("opcode", sig("opcode_r$q")));
        s.push(assign("count", sig("count_r$q")));
        s.push(assign("ntt_cfg", sig("ntt_cfg_r$q")));
        s.push(assign("ntt_row", sig("ntt_row_r$q")));
        s.push(assign("msm_offset", sig("msm_offset_r$q")));
        s.push(assign("fault_inject", sig("fault_r$q")));
        s.push(assign("msm_flags", sig("msm_flags_r$q")));
        s.push(assign("mem_cfg", q("mem_r")));
        s.push(assign("src_beats", q("src_beats_r")));
        s.push(assign("dst_beats", q("dst_beats_r")));
        for (addr, lo, hi) in [
            ("src_addr", "src_lo_r", "src_hi_r"),
            ("dst_addr", "dst_lo_r", "dst_hi_r"),
            ("src_stride", "stride_lo_r", "stride_hi_r"),
        ] {
            s.push(assign(addr, or(cast(q(lo), 64), shl(cast(q(hi), 64), 32))));
        }
        s.push(assign(
            "param",
            or_all(
                (0..PARAM_WORDS).map(|k| shl(cast(sig(format!("param_r${k}$q")), 256), 32 * k)),
                256,
            ),
        ));
        comb(s)
    }
}
