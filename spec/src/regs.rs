//! The board's register map (BAR0), defined once, with typed bit fields for every packed
//! register.
//!
//! The generator's CSR block and decode logic (`zkpipe-hdl`) and the host driver
//! (`zkpipe::driver`) both use these definitions; `docs/REGISTERS.md` is rendered from [`REGISTERS`] by
//! [`registers_markdown`] and a test keeps the file in agreement.

/// `ID` register value: ASCII "ZKPI".
pub const MAGIC: u32 = 0x5A4B_5049;
/// Register-map version (major << 16 | minor): the driver refuses other majors.
///
/// 1.1 added CAPS_NTT, 1.2 CAPS_MSM; 2.0 changed the msm_run readout to signed digits
/// (2^(c−1) buckets per window, see [`crate::wire::readout_beats`]); 2.1 added
/// PERF_MSM_ADDS_MIN for MSM units of several adders (PERF_STALL_CYCLES of msm_run counts
/// idle adder-cycles); 2.2 the bucket reduction on the card (CAPS_MSM_REDUCE, JOB_MSM_FLAGS
/// reduce, PERF_MSM_REDUCE_CYCLES); 2.3 the G2 MSM engine (CAPS_MSM_G2*, opcodes 8
/// msm_g2_load and 9 msm_g2_run); 2.4 error 8 (a lost deferred point) and FAULT_INJECT
/// corrupt_scalar; 2.5 the stream checksums PERF_H2C_SUM and PERF_C2H_SUM, FAULT_INJECT
/// corrupt_base; 2.6 CAPS_MSM_REDUCE / CAPS_MSM_G2_REDUCE gained the adders' issue interval
/// (bits 23:16: adders that share their multipliers over several cycles); 3.0 the msm_run
/// and msm_g2_run streams carry two scalars per beat ([`crate::wire::scalar_beats`]); 4.0
/// powmul and ntt inputs and every elementwise and NTT output carry two elements per beat
/// ([`crate::wire::kernel_in_beats`], [`crate::wire::kernel_out_beats`]); 4.1 card memory
/// (CAPS_CARD_MEMORY, JOB_MEM, JOB_SRC_ADDR_*, JOB_DST_ADDR_*, JOB_SRC_BEATS, JOB_DST_BEATS,
/// opcode 10 copy, errors 9 and 10): a job's input may come from card memory instead of the
/// host-to-card stream and its output go to card memory instead of the card-to-host stream;
/// 4.2 job queues (CAPS_QUEUES, [`QUEUE_STRIDE`]): the G2 MSM engine takes its jobs on
/// queue 1 — its own CONTROL, STATUS, JOB_* and PERF_* registers and XDMA channel 1 — and
/// runs beside the engines of queue 0; 4.3 runs of ntt jobs (CAPS_KERNEL_SLOTS,
/// CONTROL.append, STATUS waiting and jobs_done, error 11): a job appended to a run waits
/// behind the running one and its elements enter the kernel while the first drains.
pub const VERSION: u32 = 0x0004_0003;

/// Bytes between two job queues' register banks: queue q's CONTROL through FAULT_INJECT
/// sit at `q * QUEUE_STRIDE` + their offset (the identification and CAPS_* registers exist
/// once, in queue 0's bank). Queue q's streams are XDMA channel q.
pub const QUEUE_STRIDE: u32 = 0x1000;

/// The BAR0 offset of register `offset` in queue `queue`'s bank.
pub fn queue_register(queue: u32, offset: u32) -> u32 {
    queue * QUEUE_STRIDE + offset
}

/// Access type of a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read-only.
    Ro,
    /// Read-write.
    Rw,
    /// Write-only command bits (read as 0 or as the status they trigger).
    Wo,
}

impl Access {
    /// RO, RW or WO.
    pub fn name(self) -> &'static str {
        match self {
            Access::Ro => "RO",
            Access::Rw => "RW",
            Access::Wo => "WO",
        }
    }
}

/// One 32-bit register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Register {
    /// Name as in `docs/REGISTERS.md`.
    pub name: &'static str,
    /// Byte offset in BAR0.
    pub offset: u32,
    /// Access type.
    pub access: Access,
    /// One-line description.
    pub doc: &'static str,
}

macro_rules! registers {
    ($($(#[$m:meta])* $name:ident = $offset:literal, $access:ident, $doc:literal;)*) => {
        $($(#[$m])* #[doc = $doc] pub const $name: u32 = $offset;)*
        /// Every register, in address order.
        pub const REGISTERS: &[Register] = &[
            $(Register { name: stringify!($name), offset: $offset, access: Access::$access, doc: $doc },)*
        ];
    };
}

registers! {
    ID = 0x000, Ro, "Magic 0x5A4B5049 (\"ZKPI\").";
    REG_VERSION = 0x004, Ro, "Register-map version, major << 16 | minor.";
    CAPS_CURVE = 0x008, Ro, "Curve id (1 = BN254, 2 = BLS12-381) | scalar limbs << 8 | base limbs << 16.";
    CAPS_BEAT_BITS = 0x00C, Ro, "Stream beat width in bits (both directions).";
    CAPS_MAX_COUNT = 0x010, Ro, "Largest element count of one job.";
    CAPS_PRESET_HASH = 0x014, Ro, "FNV-1a hash of the preset name the bitstream was generated for.";
    CAPS_OPCODES = 0x018, Ro, "Bit i set: opcode i is implemented.";
    CAPS_LATENCY = 0x01C, Ro, "Elementwise kernel pipeline latency in cycles.";
    CAPS_CLOCK_KHZ = 0x020, Ro, "Kernel clock the preset targets, in kHz.";
    CAPS_NTT = 0x024, Ro, "NTT engine: log2 of the core size N (bits 7:0) | S, log2 of the largest four-step transform whose twiddles the card generates (bits 15:8) | number of cores (bits 23:16).";
    CAPS_MSM = 0x028, Ro, "MSM engine: window size c in bits (bits 7:0) | windows (bits 15:8) | point adders (bits 23:16) | beats per base point on the wire (bits 31:24); 0: no MSM engine.";
    CAPS_MSM_BASES = 0x02C, Ro, "MSM engine: card memory for resident bases, in points (msm_load / msm_run: JOB_MSM_OFFSET + JOB_COUNT ≤ this).";
    CAPS_MSM_REDUCE = 0x030, Ro, "MSM engine: bucket-reduction groups G per window (a power of two; bits 15:0, 0: no reduction on the card, msm_run reads the buckets back) | the adders' issue interval − 1 (bits 23:16; 0: an addition per cycle, k: one per k + 1 cycles, the adder sharing each multiplier between k + 1 products).";
    CAPS_MSM_G2 = 0x034, Ro, "G2 MSM engine, fields as CAPS_MSM (its points are G2 points: Fq2 coordinates {c1, c0}, one coordinate per lane); 0: no G2 engine (G2 MSMs run on the host).";
    CAPS_MSM_G2_BASES = 0x038, Ro, "G2 MSM engine: card memory for resident G2 bases, in points (its own memory: msm_g2_load / msm_g2_run offsets index it).";
    CAPS_MSM_G2_REDUCE = 0x03C, Ro, "G2 MSM engine: bucket-reduction groups per window and issue interval, as CAPS_MSM_REDUCE.";
    CONTROL = 0x040, Wo, "Bit 0: start the job in JOB_*. Bit 1: soft reset (abort, clear status and counters). Bit 2, with bit 0: append the job to the current run (CAPS_KERNEL_SLOTS). Self-clearing.";
    IRQ_ENABLE = 0x044, Rw, "Bit 0: raise the interrupt line when a job ends.";
    STATUS = 0x048, Ro, "Bit 0 busy, bit 1 done, bit 2 waiting (a queued job waits behind the running one), bits 15:8 error code (0 = none), bits 31:16 jobs done in the current run (since the last START without append).";
    CAPS_CARD_MEMORY = 0x04C, Ro, "Card memory behind the board's AXI4 master port (DDR or HBM), in MiB; 0: none (JOB_MEM must be 0).";
    CAPS_QUEUES = 0x050, Ro, "Job queues (map 4.2 on; 1 before): queue q's CONTROL through FAULT_INJECT repeat at q × 0x1000 + their offset and its streams are XDMA channel q, so jobs on different queues run at the same time. Queue 1, when present, is the G2 MSM engine's: opcodes 8 and 9 go there (on queue 0 they are error 1), every other opcode to queue 0 (on queue 1: error 1); queue 1 has no card-memory port (JOB_MEM there must be 0: error 9).";
    CAPS_KERNEL_SLOTS = 0x054, Ro, "Runs of ntt jobs on queue 0's kernel (map 4.3 on; 0 before): jobs it holds at once (bits 7:0; 2 = one waiting) | jobs its NTT path holds at once (bits 15:8). With 2 jobs held, a run of ntt jobs. After a START, the host may START with CONTROL.append another ntt job of the same JOB_NTT (not coset, JOB_MEM = 0; JOB_COUNT and JOB_NTT_ROW may differ, every other JOB_* register unchanged) whenever STATUS waiting is clear: it waits behind the running job and its elements enter the NTT path right behind that job's, so the path's latency is paid once per run, not per job. Each job's input is the next packet (TLAST) on the same host-to-card channel, its results the next packet out; PERF_* and the stream checksums count the whole run, STATUS jobs_done its jobs. A job that cannot follow is error 11.";
    JOB_OPCODE = 0x060, Rw, "Opcode of the next job (1 mul, 2 add, 3 sub, 4 powmul, 5 ntt, 6 msm_load, 7 msm_run, 8 msm_g2_load, 9 msm_g2_run, 10 copy).";
    JOB_COUNT = 0x064, Rw, "Elements in the next job (1 ..= CAPS_MAX_COUNT); ntt: a multiple of 2^m; msm_load / msm_run: points (1 ..= CAPS_MSM_BASES); copy: beats.";
    JOB_NTT = 0x068, Rw, "ntt jobs: m, log2 of each NTT's size (bits 4:0, 1 ..= log2 N) | inverse (bit 8) | coset: front factor g^i, g in JOB_PARAM, one NTT per job (bit 9) | twiddle: front factor ω_T^(r·t) (bit 10) | log2 T (bits 20:16, ≤ S).";
    JOB_NTT_ROW = 0x06C, Rw, "ntt twiddle jobs: index r of the job's first NTT (rows of the four-step transform).";
    JOB_MSM_OFFSET = 0x070, Rw, "msm_load / msm_run: index of the job's first base point in card memory.";
    JOB_MSM_FLAGS = 0x074, Rw, "msm_run: bit 0 keep = add into the buckets the previous msm_run left (no clearing); bit 1 hold = leave the buckets on the card and answer with one acknowledgement beat instead of the readout; bit 2 reduce = reduce the buckets on the card (CAPS_MSM_REDUCE ≠ 0) and send, per window and group g, the running sum S_g and the weighted sum T_g instead of the buckets. The runs of one MSM over several chunks are hold, keep|hold, …, keep.";
    JOB_PARAM0 = 0x080, Rw, "256-bit job parameter, word 0 (least significant); powmul: g in Montgomery form.";
    JOB_PARAM1 = 0x084, Rw, "Job parameter word 1.";
    JOB_PARAM2 = 0x088, Rw, "Job parameter word 2.";
    JOB_PARAM3 = 0x08C, Rw, "Job parameter word 3.";
    JOB_PARAM4 = 0x090, Rw, "Job parameter word 4.";
    JOB_PARAM5 = 0x094, Rw, "Job parameter word 5.";
    JOB_PARAM6 = 0x098, Rw, "Job parameter word 6.";
    JOB_PARAM7 = 0x09C, Rw, "Job parameter word 7 (most significant).";
    JOB_MEM = 0x0A0, Rw, "Where the job's streams are: bit 0 src_card = its input comes from card memory at JOB_SRC_ADDR (JOB_SRC_BEATS beats) instead of the host-to-card stream; bit 1 dst_card = its output goes to card memory at JOB_DST_ADDR (JOB_DST_BEATS beats) instead of the card-to-host stream. Same beat formats either way; addresses 4 KiB aligned. Bits 2 and 3: read the source / write the destination transposed, as a matrix of 2^(bits 12:8) / 2^(bits 20:16) rows (the four-step NTT's transposes as access patterns).";
    JOB_SRC_ADDR_LO = 0x0A4, Rw, "src_card jobs: byte address of the input in card memory, bits 31:0 (a multiple of 4096).";
    JOB_SRC_ADDR_HI = 0x0A8, Rw, "src_card jobs: input address bits 63:32.";
    JOB_DST_ADDR_LO = 0x0AC, Rw, "dst_card jobs: byte address of the output in card memory, bits 31:0 (a multiple of 4096).";
    JOB_DST_ADDR_HI = 0x0B0, Rw, "dst_card jobs: output address bits 63:32.";
    JOB_SRC_BEATS = 0x0B4, Rw, "src_card jobs: beats read from card memory (the job's input stream, TLAST on the last).";
    JOB_DST_BEATS = 0x0B8, Rw, "dst_card jobs: beats the job writes to card memory (its output stream; more or fewer is error 9).";
    JOB_SRC_STRIDE_LO = 0x0BC, Rw, "src_transpose with 2 rows (src_log_rows = 1): byte distance from the first row to the second, bits 31:0 (a multiple of 4096; wraps at 2^64, so the second row may lie below the first); 0: the matrix's own row length. Two rows read transposed are two vectors zipped: a binary job's a_i ‖ b_i from two vectors in card memory.";
    JOB_SRC_STRIDE_HI = 0x0C0, Rw, "Source row stride bits 63:32.";
    PERF_BUSY_CYCLES = 0x100, Ro, "Cycles the kernel was busy in the last job.";
    PERF_BEATS_IN = 0x104, Ro, "Host-to-card beats accepted in the last job.";
    PERF_BEATS_OUT = 0x108, Ro, "Card-to-host beats sent in the last job.";
    PERF_STALL_CYCLES = 0x10C, Ro, "Busy cycles in which the pipeline held (input empty or output full); msm_run: adder-cycles of the accumulation without a point addition issued (summed over the adders).";
    PERF_MSM_ADDS = 0x110, Ro, "msm_run: point additions issued (summed over the adders).";
    PERF_MSM_DEFERRALS = 0x114, Ro, "msm_run: points deferred to the FIFO because their bucket was in the adder.";
    PERF_MSM_ACCUM_CYCLES = 0x118, Ro, "msm_run: cycles of the accumulation phase (first scalar to last addition issued).";
    PERF_MSM_ADDS_MIN = 0x11C, Ro, "msm_run: point additions issued to the least busy adder (its utilisation: this / PERF_MSM_ACCUM_CYCLES).";
    PERF_MSM_REDUCE_CYCLES = 0x120, Ro, "msm_run with reduce: cycles of the bucket reduction on the card.";
    PERF_H2C_SUM = 0x124, Ro, "Checksum of the host-to-card beats the card accepted since the job started (wire::stream_checksum): the driver compares it with the bytes it sent.";
    PERF_C2H_SUM = 0x128, Ro, "Checksum of the card-to-host beats the card sent since the job started: the driver compares it with the bytes it received.";
    FAULT_INJECT = 0x1F0, Rw, "Test hook, zero in normal operation: bit 0 = the MSM unit drops the points it would defer (a lost deferral); bit 1 = it corrupts every adder result written back (a wrong adder); bit 2 = it corrupts the adder results of the bucket reduction only; bit 3 = it flips bit 0 of each run's first scalar (a valid but wrong result); bit 4 = it flips bit 0 of the first base point each run reads from card memory.";
}

/// Number of JOB_PARAM words.
pub const PARAM_WORDS: usize = 8;

/// A field of bits inside a 32-bit register: the one definition both the generator's
/// decode logic (Verilog slices) and the driver's encode/decode use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitField {
    /// Field name as in `docs/REGISTERS.md`.
    pub name: &'static str,
    /// Least significant bit.
    pub lsb: u32,
    /// Width in bits (1 ..= 32).
    pub width: u32,
}

impl BitField {
    /// The field's value mask, not shifted.
    pub const fn mask(self) -> u32 {
        if self.width >= 32 {
            u32::MAX
        } else {
            (1u32 << self.width) - 1
        }
    }
    /// Most significant bit.
    pub const fn msb(self) -> u32 {
        self.lsb + self.width - 1
    }
    /// The field's value in register value `reg`.
    pub const fn get(self, reg: u32) -> u32 {
        (reg >> self.lsb) & self.mask()
    }
    /// `value` placed in the field (bits of `value` beyond the width are dropped; use
    /// [`BitField::fits`] to check first).
    pub const fn put(self, value: u32) -> u32 {
        (value & self.mask()) << self.lsb
    }
    /// Whether `value` fits in the field.
    pub const fn fits(self, value: u32) -> bool {
        value & !self.mask() == 0
    }
    /// The field's bits set, in place.
    pub const fn bits(self) -> u32 {
        self.mask() << self.lsb
    }
}

/// A value that a [`BitField`] holds: `bool` for one-bit flags, `u32` for numbers.
pub trait FieldValue: Copy {
    /// The value as field bits.
    fn to_bits(self) -> u32;
    /// The value of field bits.
    fn from_bits(bits: u32) -> Self;
}

impl FieldValue for bool {
    fn to_bits(self) -> u32 {
        self as u32
    }
    fn from_bits(bits: u32) -> Self {
        bits != 0
    }
}

impl FieldValue for u32 {
    fn to_bits(self) -> u32 {
        self
    }
    fn from_bits(bits: u32) -> Self {
        bits
    }
}

/// A value that does not fit its bit field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldOverflow {
    /// The register.
    pub register: &'static str,
    /// The field.
    pub field: BitField,
    /// The value that did not fit.
    pub value: u32,
}

impl std::fmt::Display for FieldOverflow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}.{} = {} does not fit in {} bits",
            self.register, self.field.name, self.value, self.field.width
        )
    }
}

impl std::error::Error for FieldOverflow {}

/// Defines a packed register: a struct of its fields with `encode`/`decode`, and one
/// [`BitField`] constant per field.
macro_rules! packed {
    ($(#[$m:meta])* $name:ident for $reg:ident {
        $($(#[$fm:meta])* $field:ident / $konst:ident : $ty:ty = [$lsb:literal, $width:literal];)*
    }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
        }

        impl $name {
            /// Offset of the register this layout packs.
            pub const REGISTER: u32 = $reg;
            $($(#[$fm])* pub const $konst: BitField =
                BitField { name: stringify!($field), lsb: $lsb, width: $width };)*
            /// Every field, least significant first.
            pub const FIELDS: &'static [BitField] = &[$(Self::$konst),*];

            /// The register value; `Err` if a field's value does not fit.
            pub fn try_encode(&self) -> Result<u32, FieldOverflow> {
                let mut reg = 0u32;
                $(
                    let v = FieldValue::to_bits(self.$field);
                    if !Self::$konst.fits(v) {
                        return Err(FieldOverflow {
                            register: stringify!($reg),
                            field: Self::$konst,
                            value: v,
                        });
                    }
                    reg |= Self::$konst.put(v);
                )*
                Ok(reg)
            }

            /// The register value. Panics if a field does not fit (a caller bug: callers
            /// check sizes against the card's capabilities first).
            pub fn encode(&self) -> u32 {
                self.try_encode().unwrap_or_else(|e| panic!("{e}"))
            }

            /// The fields of register value `reg` (bits outside every field are ignored).
            pub fn decode(reg: u32) -> Self {
                $name { $($field: FieldValue::from_bits(Self::$konst.get(reg)),)* }
            }
        }
    };
}

packed! {
    /// REG_VERSION: the register-map version.
    Version for REG_VERSION {
        /// Minor version: additions a driver of the same major may ignore.
        minor / MINOR: u32 = [0, 16];
        /// Major version: the driver refuses other majors.
        major / MAJOR: u32 = [16, 16];
    }
}

packed! {
    /// CAPS_CURVE: the curve and the limb counts of its fields.
    CapsCurve for CAPS_CURVE {
        /// Curve id ([`crate::preset::Curve::id`]).
        curve_id / CURVE_ID: u32 = [0, 8];
        /// 64-bit limbs of a scalar-field element.
        scalar_limbs / SCALAR_LIMBS: u32 = [8, 8];
        /// 64-bit limbs of a base-field element.
        base_limbs / BASE_LIMBS: u32 = [16, 8];
    }
}

packed! {
    /// CAPS_NTT: the NTT engine's geometry (all zero: no NTT engine).
    CapsNtt for CAPS_NTT {
        /// log2 of the core size N.
        log_size / LOG_SIZE: u32 = [0, 8];
        /// S: the card generates four-step twiddles for transforms up to 2^S points.
        twiddle_log / TWIDDLE_LOG: u32 = [8, 8];
        /// Number of NTT cores.
        cores / CORES: u32 = [16, 8];
    }
}

packed! {
    /// CAPS_MSM: the MSM engine's geometry (all zero: no MSM engine).
    CapsMsm for CAPS_MSM {
        /// Window size c in bits.
        window_bits / WINDOW_BITS: u32 = [0, 8];
        /// Windows per scalar.
        windows / WINDOWS: u32 = [8, 8];
        /// Point adders.
        adders / ADDERS: u32 = [16, 8];
        /// Stream beats per base point of an msm_load job.
        point_beats / POINT_BEATS: u32 = [24, 8];
    }
}

packed! {
    /// CAPS_MSM_REDUCE (and CAPS_MSM_G2_REDUCE, same layout): the reduction and the adders'
    /// issue rate.
    CapsMsmReduce for CAPS_MSM_REDUCE {
        /// Reduction groups G per window (0: the host reduces the buckets).
        groups / GROUPS: u32 = [0, 16];
        /// Issue interval − 1: the adders take an addition every `interval_minus_one` + 1
        /// cycles (each multiplier serves that many products of one addition).
        interval_minus_one / INTERVAL_MINUS_ONE: u32 = [16, 8];
    }
}

impl CapsMsmReduce {
    /// The register for `groups` reduction groups and adders of issue interval `interval`
    /// (≥ 1).
    pub fn new(groups: u32, interval: u32) -> Self {
        CapsMsmReduce {
            groups,
            interval_minus_one: interval.saturating_sub(1),
        }
    }
    /// The adders' issue interval in cycles (the field holds interval − 1, so a card that
    /// predates it reads as 1).
    pub fn interval(&self) -> u32 {
        self.interval_minus_one + 1
    }
}

packed! {
    /// CAPS_KERNEL_SLOTS: how queue 0's kernel holds a run of NTT jobs (map 4.3).
    CapsKernel for CAPS_KERNEL_SLOTS {
        /// Jobs the kernel holds at once: the running job and those waiting (2: one
        /// waiting slot; 1 or 0: no runs).
        slots / SLOTS: u32 = [0, 8];
        /// Jobs the NTT path holds at most (from the one sending results to the one taking
        /// elements): a job waits to enter until the job this many places before it has
        /// sent its last result (0 before this field existed: read it as 2).
        in_path / IN_PATH: u32 = [8, 8];
    }
}

packed! {
    /// CONTROL: self-clearing command bits.
    Control for CONTROL {
        /// Start the job described by JOB_*.
        start / START: bool = [0, 1];
        /// Abort, clear status and counters.
        soft_reset / SOFT_RESET: bool = [1, 1];
        /// With start (queue 0's kernel, map 4.3): the job continues the current run —
        /// queued behind the running job (STATUS waiting until its elements enter), or,
        /// if the run has drained, started at once; either way the run's counters, jobs
        /// done and stream checksums go on instead of restarting.
        append / APPEND: bool = [2, 1];
    }
}

packed! {
    /// STATUS: job state and hardware error code.
    Status for STATUS {
        /// A job is running.
        busy / BUSY: bool = [0, 1];
        /// The last job ended.
        done / DONE: bool = [1, 1];
        /// A queued job waits behind the running one (map 4.3: CAPS_KERNEL_SLOTS = 2).
        waiting / WAITING: bool = [2, 1];
        /// Hardware error code of the last job ([`HwError`]; 0 = none).
        error / ERROR: u32 = [8, 8];
        /// Jobs done in the current run (since the last START without append), modulo
        /// 2^16 (map 4.3; the driver waits for its count).
        jobs_done / JOBS_DONE: u32 = [16, 16];
    }
}

packed! {
    /// JOB_NTT: the configuration of an ntt job.
    JobNtt for JOB_NTT {
        /// m: log2 of each NTT's size (1 ..= log2 N).
        log_n / LOG_N: u32 = [0, 5];
        /// Inverse transform (scaled by 1/n).
        inverse / INVERSE: bool = [8, 1];
        /// Coset: front factor g^i, g in JOB_PARAM, one NTT per job.
        coset / COSET: bool = [9, 1];
        /// Four-step twiddle: front factor ω_T^(r·t), r from JOB_NTT_ROW.
        twiddle / TWIDDLE: bool = [10, 1];
        /// log2 T of the four-step transform (≤ S).
        log_t / LOG_T: u32 = [16, 5];
    }
}

packed! {
    /// JOB_MSM_FLAGS: how an msm_run job treats the buckets.
    JobMsmFlags for JOB_MSM_FLAGS {
        /// Add into the buckets the previous msm_run left (no clearing).
        keep / KEEP: bool = [0, 1];
        /// Leave the buckets on the card; answer with one acknowledgement beat.
        hold / HOLD: bool = [1, 1];
        /// Reduce the buckets on the card; send S_g, T_g per window and group.
        reduce / REDUCE: bool = [2, 1];
    }
}

packed! {
    /// FAULT_INJECT: test hooks, zero in normal operation.
    FaultInject for FAULT_INJECT {
        /// The MSM unit drops the points it would defer (a lost deferral).
        drop_deferral / DROP_DEFERRAL: bool = [0, 1];
        /// The MSM unit corrupts every adder result written back (a wrong adder).
        corrupt_adder / CORRUPT_ADDER: bool = [1, 1];
        /// The MSM unit corrupts the adder results of the bucket reduction only.
        corrupt_reduce / CORRUPT_REDUCE: bool = [2, 1];
        /// The MSM unit flips bit 0 of the first scalar of every run (a stream word
        /// corrupted before the card: its result is a valid point, only a proof check can
        /// tell).
        corrupt_scalar / CORRUPT_SCALAR: bool = [3, 1];
        /// The MSM unit flips bit 0 of the first base point each run reads from its card
        /// memory (a memory read upset: the point leaves the curve, so the results do).
        corrupt_base / CORRUPT_BASE: bool = [4, 1];
    }
}

packed! {
    /// JOB_MEM: whether a job's input and output are in card memory.
    JobMem for JOB_MEM {
        /// The input comes from card memory (JOB_SRC_ADDR, JOB_SRC_BEATS).
        src_card / SRC_CARD: bool = [0, 1];
        /// The output goes to card memory (JOB_DST_ADDR, JOB_DST_BEATS).
        dst_card / DST_CARD: bool = [1, 1];
        /// The input is read transposed: the source is a matrix of 2^src_log_rows rows
        /// (JOB_SRC_BEATS / 2^src_log_rows beats each, two elements per beat), streamed
        /// column by column.
        src_transpose / SRC_TRANSPOSE: bool = [2, 1];
        /// The output is written transposed: its sequences of 2^dst_log_rows elements
        /// become the columns of the destination matrix (2^dst_log_rows rows).
        dst_transpose / DST_TRANSPOSE: bool = [3, 1];
        /// log2 of the source matrix's rows (src_transpose; 1 ..= CAPS_NTT log_size).
        src_log_rows / SRC_LOG_ROWS: u32 = [8, 5];
        /// log2 of the destination matrix's rows = the output's sequence length
        /// (dst_transpose; 1 ..= CAPS_NTT log_size).
        dst_log_rows / DST_LOG_ROWS: u32 = [16, 5];
    }
}

packed! {
    /// IRQ_ENABLE: interrupt sources.
    IrqEnable for IRQ_ENABLE {
        /// Raise the interrupt line when a job ends.
        job_done / JOB_DONE: bool = [0, 1];
    }
}

/// Every packed register's fields, for `docs/REGISTERS.md` and the generator.
pub const PACKED: &[(&str, &[BitField])] = &[
    ("REG_VERSION", Version::FIELDS),
    ("CAPS_CURVE", CapsCurve::FIELDS),
    ("CAPS_NTT", CapsNtt::FIELDS),
    ("CAPS_MSM", CapsMsm::FIELDS),
    ("CAPS_MSM_REDUCE", CapsMsmReduce::FIELDS),
    ("CAPS_MSM_G2", CapsMsm::FIELDS),
    ("CAPS_MSM_G2_REDUCE", CapsMsmReduce::FIELDS),
    ("CAPS_KERNEL_SLOTS", CapsKernel::FIELDS),
    ("CONTROL", Control::FIELDS),
    ("IRQ_ENABLE", IrqEnable::FIELDS),
    ("STATUS", Status::FIELDS),
    ("JOB_NTT", JobNtt::FIELDS),
    ("JOB_MSM_FLAGS", JobMsmFlags::FIELDS),
    ("JOB_MEM", JobMem::FIELDS),
    ("FAULT_INJECT", FaultInject::FIELDS),
];

/// Kernel opcodes (JOB_OPCODE).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Opcode {
    /// r_i = a_i · b_i
    Mul = 1,
    /// r_i = a_i + b_i
    Add = 2,
    /// r_i = a_i − b_i
    Sub = 3,
    /// r_i = a_i · g^i (g in JOB_PARAM)
    PowMul = 4,
    /// Back-to-back NTTs of 2^m points (JOB_NTT), natural order in and out.
    Ntt = 5,
    /// Store JOB_COUNT affine base points in card memory from JOB_MSM_OFFSET on.
    MsmLoad = 6,
    /// Σ k_i·P_i over the resident bases JOB_MSM_OFFSET.. : streams scalars in, buckets out.
    MsmRun = 7,
    /// msm_load for the G2 engine: G2 base points into its card memory.
    MsmG2Load = 8,
    /// msm_run on the G2 engine (same flags, stream and readout, G2 coordinates).
    MsmG2Run = 9,
    /// Copies JOB_COUNT beats from the job's source to its destination (JOB_MEM: host
    /// stream or card memory each way): how vectors enter and leave card memory.
    Copy = 10,
}

impl Opcode {
    /// Every opcode.
    pub const ALL: [Opcode; 10] = [
        Opcode::Mul,
        Opcode::Add,
        Opcode::Sub,
        Opcode::PowMul,
        Opcode::Ntt,
        Opcode::MsmLoad,
        Opcode::MsmRun,
        Opcode::MsmG2Load,
        Opcode::MsmG2Run,
        Opcode::Copy,
    ];
    /// The largest opcode of the elementwise kernel (opcodes 1 ..= KERNEL_MAX); the MSM
    /// unit takes the MSM opcodes above it.
    pub const KERNEL_MAX: u32 = Opcode::Ntt as u32;
    /// The opcode's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Mul => "mul",
            Opcode::Add => "add",
            Opcode::Sub => "sub",
            Opcode::PowMul => "powmul",
            Opcode::Ntt => "ntt",
            Opcode::MsmLoad => "msm_load",
            Opcode::MsmRun => "msm_run",
            Opcode::MsmG2Load => "msm_g2_load",
            Opcode::MsmG2Run => "msm_g2_run",
            Opcode::Copy => "copy",
        }
    }
    /// Whether the MSM unit (not the elementwise kernel) runs the job.
    pub fn is_msm(self) -> bool {
        matches!(
            self,
            Opcode::MsmLoad | Opcode::MsmRun | Opcode::MsmG2Load | Opcode::MsmG2Run
        )
    }
    /// Whether the G2 MSM engine runs the job.
    pub fn is_msm_g2(self) -> bool {
        matches!(self, Opcode::MsmG2Load | Opcode::MsmG2Run)
    }
    /// The job queue that takes this opcode on a board with `queues` queues (CAPS_QUEUES):
    /// the G2 MSM engine's jobs go to queue 1 where there is one.
    pub fn queue(self, queues: u32) -> u32 {
        u32::from(self.is_msm_g2() && queues >= 2)
    }
    /// The load and run opcodes of the MSM engine of `group`.
    pub fn msm_ops(group: crate::preset::Group) -> (Opcode, Opcode) {
        match group {
            crate::preset::Group::G1 => (Opcode::MsmLoad, Opcode::MsmRun),
            crate::preset::Group::G2 => (Opcode::MsmG2Load, Opcode::MsmG2Run),
        }
    }
    /// Whether the job streams a second operand vector b.
    pub fn binary(self) -> bool {
        matches!(self, Opcode::Mul | Opcode::Add | Opcode::Sub)
    }
}

/// Hardware error codes (STATUS bits 15:8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum HwError {
    /// JOB_OPCODE is not an implemented opcode.
    UnknownOpcode = 1,
    /// JOB_COUNT is 0 or above CAPS_MAX_COUNT.
    CountOutOfRange = 2,
    /// The host-to-card stream ended (TLAST) before JOB_COUNT elements.
    ShortStream = 3,
    /// The JOB_COUNT-th element did not carry TLAST (the stream is longer than the job).
    LongStream = 4,
    /// CONTROL.start (without append) while a job was running.
    StartWhileBusy = 5,
    /// An ntt job's JOB_NTT / JOB_COUNT are inconsistent (size 0 or above the core, count
    /// not a multiple of the size, coset with more than one NTT or with twiddles, T > 2^S).
    BadNttConfig = 6,
    /// An msm job's bases lie outside card memory (JOB_MSM_OFFSET + JOB_COUNT >
    /// CAPS_MSM_BASES).
    BadMsmConfig = 7,
    /// An msm job lost a deferred point: at the drain, the points issued from the deferral
    /// FIFOs do not add up to the points deferred (the buckets are incomplete).
    LostDeferral = 8,
    /// A card-memory job is malformed: JOB_MEM set on a card without card memory, an
    /// address or stride not 4 KiB aligned, a range beyond card memory, a transposed side
    /// whose rows are 1, above the limit or do not divide its beats, a stride with more
    /// than 2 rows, or an engine's output longer or shorter than JOB_DST_BEATS.
    BadMemoryJob = 9,
    /// Card memory answered a read or a write with an error (an uncorrectable ECC error or
    /// a decode error): the job's data is not trustworthy.
    CardMemory = 10,
    /// CONTROL.start with append, but the job cannot follow the run's last (map 4.3): not
    /// an ntt job of the run's JOB_NTT, a coset job, card memory (JOB_MEM ≠ 0), the waiting
    /// slot full, the run ended in an error, or the job's own checks failed.
    CannotAppend = 11,
}

impl HwError {
    /// Every error code.
    pub const ALL: [HwError; 11] = [
        HwError::UnknownOpcode,
        HwError::CountOutOfRange,
        HwError::ShortStream,
        HwError::LongStream,
        HwError::StartWhileBusy,
        HwError::BadNttConfig,
        HwError::BadMsmConfig,
        HwError::LostDeferral,
        HwError::BadMemoryJob,
        HwError::CardMemory,
        HwError::CannotAppend,
    ];
    /// The error of a STATUS error code (0 and unknown codes: `None`).
    pub fn from_code(code: u8) -> Option<HwError> {
        HwError::ALL.into_iter().find(|e| *e as u8 == code)
    }
    /// What went wrong, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            HwError::UnknownOpcode => "unknown opcode",
            HwError::CountOutOfRange => "element count out of range",
            HwError::ShortStream => "host-to-card stream shorter than the job",
            HwError::LongStream => "host-to-card stream longer than the job",
            HwError::StartWhileBusy => "start while a job was running",
            HwError::BadNttConfig => "inconsistent NTT job configuration",
            HwError::BadMsmConfig => "MSM bases outside card memory",
            HwError::LostDeferral => "the MSM unit lost a deferred point",
            HwError::BadMemoryJob => {
                "card-memory job out of range (alignment, size, or output length)"
            }
            HwError::CardMemory => "card memory reported an error (ECC or decode)",
            HwError::CannotAppend => "a job appended to a run it cannot follow",
        }
    }
}

/// FNV-1a of a preset name: what CAPS_PRESET_HASH holds.
pub fn preset_hash(name: &str) -> u32 {
    name.bytes().fold(0x811C_9DC5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// The register table of `docs/REGISTERS.md`, then the bit fields of the packed
/// registers.
pub fn registers_markdown() -> String {
    let mut s = String::from("| offset | name | access | description |\n|---|---|---|---|\n");
    for r in REGISTERS {
        s.push_str(&format!(
            "| 0x{:03X} | `{}` | {} | {} |\n",
            r.offset,
            r.name,
            r.access.name(),
            r.doc
        ));
    }
    s.push_str("\n| register | field | bits |\n|---|---|---|\n");
    for (reg, fields) in PACKED {
        for f in fields.iter() {
            let bits = if f.width == 1 {
                format!("{}", f.lsb)
            } else {
                format!("{}:{}", f.msb(), f.lsb)
            };
            s.push_str(&format!("| `{reg}` | `{}` | {bits} |\n", f.name));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_unique_aligned_and_ordered() {
        for w in REGISTERS.windows(2) {
            assert!(w[0].offset < w[1].offset, "{} / {}", w[0].name, w[1].name);
        }
        assert!(REGISTERS.iter().all(|r| r.offset % 4 == 0));
    }

    #[test]
    fn docs_registers_md_matches_the_definition() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/REGISTERS.md");
        let doc = std::fs::read_to_string(path).expect("docs/REGISTERS.md exists");
        assert!(
            doc.contains(&registers_markdown()),
            "docs/REGISTERS.md is out of date: paste the output of \
             `cargo run -p zkpipe-spec --example registers` into it"
        );
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn packed_fields_do_not_overlap_and_fit_32_bits() {
        for (reg, fields) in PACKED {
            let mut used = 0u32;
            for f in fields.iter() {
                assert!(f.width >= 1 && f.lsb + f.width <= 32, "{reg}.{}", f.name);
                assert_eq!(used & f.bits(), 0, "{reg}.{} overlaps", f.name);
                used |= f.bits();
            }
        }
    }

    #[test]
    fn every_packed_register_is_in_the_table() {
        for (reg, _) in PACKED {
            assert!(REGISTERS.iter().any(|r| r.name == *reg), "{reg}");
        }
    }

    #[test]
    fn encode_refuses_values_that_do_not_fit() {
        let bad = JobNtt {
            log_n: 32,
            ..Default::default()
        };
        let err = bad.try_encode().unwrap_err();
        assert_eq!(err.field, JobNtt::LOG_N);
        assert!(err.to_string().contains("JOB_NTT.log_n = 32"));
    }

    #[test]
    fn known_encodings() {
        // The layouts the register descriptions promise.
        assert_eq!(
            Status {
                busy: true,
                done: true,
                waiting: true,
                error: 7,
                jobs_done: 3,
            }
            .encode(),
            0x3_0707
        );
        assert_eq!(
            JobNtt {
                log_n: 10,
                inverse: true,
                coset: false,
                twiddle: true,
                log_t: 20
            }
            .encode(),
            10 | 1 << 8 | 1 << 10 | 20 << 16
        );
        assert_eq!(
            CapsMsm {
                window_bits: 13,
                windows: 20,
                adders: 1,
                point_beats: 1
            }
            .encode(),
            0x0101_140D
        );
    }

    proptest! {
        #[test]
        fn caps_round_trip(a in 0u32..256, b in 0u32..256, c in 0u32..256, d in 0u32..256) {
            let caps = CapsMsm { window_bits: a, windows: b, adders: c, point_beats: d };
            prop_assert_eq!(CapsMsm::decode(caps.encode()), caps);
            let curve = CapsCurve { curve_id: a, scalar_limbs: b, base_limbs: c };
            prop_assert_eq!(CapsCurve::decode(curve.encode()), curve);
            let ntt = CapsNtt { log_size: a, twiddle_log: b, cores: c };
            prop_assert_eq!(CapsNtt::decode(ntt.encode()), ntt);
        }

        #[test]
        fn job_fields_round_trip(m in 0u32..32, t in 0u32..32, flags in 0u32..32, e in 0u32..256) {
            let job = JobNtt {
                log_n: m,
                inverse: flags & 1 != 0,
                coset: flags & 2 != 0,
                twiddle: flags & 4 != 0,
                log_t: t,
            };
            prop_assert_eq!(JobNtt::decode(job.encode()), job);
            let msm = JobMsmFlags { keep: flags & 1 != 0, hold: flags & 2 != 0, reduce: flags & 4 != 0 };
            prop_assert_eq!(JobMsmFlags::decode(msm.encode()), msm);
            let status = Status { busy: flags & 1 != 0, done: flags & 2 != 0, waiting: flags & 4 != 0, error: e, jobs_done: t * 977 };
            prop_assert_eq!(Status::decode(status.encode()), status);
            let fault = FaultInject { drop_deferral: flags & 1 != 0, corrupt_adder: flags & 4 != 0, corrupt_reduce: flags & 2 != 0, corrupt_scalar: flags & 8 != 0, corrupt_base: flags & 16 != 0 };
            prop_assert_eq!(FaultInject::decode(fault.encode()), fault);
            let control = Control { start: flags & 1 != 0, soft_reset: flags & 2 != 0, append: flags & 4 != 0 };
            prop_assert_eq!(Control::decode(control.encode()), control);
        }

        #[test]
        fn decode_then_encode_keeps_exactly_the_field_bits(reg in any::<u32>()) {
            let used: u32 = JobNtt::FIELDS.iter().map(|f| f.bits()).fold(0, |a, b| a | b);
            prop_assert_eq!(JobNtt::decode(reg).encode(), reg & used);
            let used: u32 = Version::FIELDS.iter().map(|f| f.bits()).fold(0, |a, b| a | b);
            prop_assert_eq!(Version::decode(reg).encode(), reg & used);
        }
    }
}
