//! The board's register map (BAR0), defined once.
//!
//! The CSR block's hardware ([`super::board`]) and the host driver (`zkpipe::driver`) both
//! use these constants; `docs/REGISTERS.md` is rendered from [`REGISTERS`] by
//! [`registers_markdown`] and a test keeps the file in agreement.

/// `ID` register value: ASCII "ZKPI".
pub const MAGIC: u32 = 0x5A4B_5049;
/// Register-map version (major << 16 | minor): the driver refuses other majors.
pub const VERSION: u32 = 0x0001_0002;

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
    pub name: &'static str,
    pub offset: u32,
    pub access: Access,
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
    CONTROL = 0x040, Wo, "Bit 0: start the job in JOB_*. Bit 1: soft reset (abort, clear status and counters). Self-clearing.";
    IRQ_ENABLE = 0x044, Rw, "Bit 0: raise the interrupt line when a job ends.";
    STATUS = 0x048, Ro, "Bit 0 busy, bit 1 done, bits 15:8 error code (0 = none).";
    JOB_OPCODE = 0x060, Rw, "Opcode of the next job (1 mul, 2 add, 3 sub, 4 powmul, 5 ntt, 6 msm_load, 7 msm_run).";
    JOB_COUNT = 0x064, Rw, "Elements in the next job (1 ..= CAPS_MAX_COUNT); ntt: a multiple of 2^m; msm_load / msm_run: points (1 ..= CAPS_MSM_BASES).";
    JOB_NTT = 0x068, Rw, "ntt jobs: m, log2 of each NTT's size (bits 4:0, 1 ..= log2 N) | inverse (bit 8) | coset: front factor g^i, g in JOB_PARAM, one NTT per job (bit 9) | twiddle: front factor ω_T^(r·t) (bit 10) | log2 T (bits 20:16, ≤ S).";
    JOB_NTT_ROW = 0x06C, Rw, "ntt twiddle jobs: index r of the job's first NTT (rows of the four-step transform).";
    JOB_MSM_OFFSET = 0x070, Rw, "msm_load / msm_run: index of the job's first base point in card memory.";
    JOB_MSM_FLAGS = 0x074, Rw, "msm_run: bit 0 keep = add into the buckets the previous msm_run left (no clearing); bit 1 hold = leave the buckets on the card and answer with one acknowledgement beat instead of the readout. The runs of one MSM over several chunks are hold, keep|hold, …, keep.";
    JOB_PARAM0 = 0x080, Rw, "256-bit job parameter, word 0 (least significant); powmul: g in Montgomery form.";
    JOB_PARAM1 = 0x084, Rw, "Job parameter word 1.";
    JOB_PARAM2 = 0x088, Rw, "Job parameter word 2.";
    JOB_PARAM3 = 0x08C, Rw, "Job parameter word 3.";
    JOB_PARAM4 = 0x090, Rw, "Job parameter word 4.";
    JOB_PARAM5 = 0x094, Rw, "Job parameter word 5.";
    JOB_PARAM6 = 0x098, Rw, "Job parameter word 6.";
    JOB_PARAM7 = 0x09C, Rw, "Job parameter word 7 (most significant).";
    PERF_BUSY_CYCLES = 0x100, Ro, "Cycles the kernel was busy in the last job.";
    PERF_BEATS_IN = 0x104, Ro, "Host-to-card beats accepted in the last job.";
    PERF_BEATS_OUT = 0x108, Ro, "Card-to-host beats sent in the last job.";
    PERF_STALL_CYCLES = 0x10C, Ro, "Busy cycles in which the pipeline held (input empty or output full); msm_run: accumulation cycles without a point addition issued.";
    PERF_MSM_ADDS = 0x110, Ro, "msm_run: point additions issued to the adder.";
    PERF_MSM_DEFERRALS = 0x114, Ro, "msm_run: points deferred to the FIFO because their bucket was in the adder.";
    PERF_MSM_ACCUM_CYCLES = 0x118, Ro, "msm_run: cycles of the accumulation phase (first scalar to last addition issued).";
    FAULT_INJECT = 0x1F0, Rw, "Test hook, zero in normal operation: bit 0 = the MSM unit drops the points it would defer (a lost deferral); bit 1 = it corrupts every adder result written back (a wrong adder).";
}

/// Number of JOB_PARAM words.
pub const PARAM_WORDS: usize = 8;

/// JOB_NTT fields.
pub const NTT_LOG_N_MASK: u32 = 0x1F;
pub const NTT_INVERSE: u32 = 1 << 8;
pub const NTT_COSET: u32 = 1 << 9;
pub const NTT_TWIDDLE: u32 = 1 << 10;
pub const NTT_LOG_T_SHIFT: u32 = 16;

/// CAPS_MSM fields (shifts of 8-bit fields).
pub const MSM_WINDOW_BITS_SHIFT: u32 = 0;
pub const MSM_WINDOWS_SHIFT: u32 = 8;
pub const MSM_ADDERS_SHIFT: u32 = 16;
pub const MSM_POINT_BEATS_SHIFT: u32 = 24;

/// JOB_MSM_FLAGS bits.
pub const MSM_KEEP: u32 = 1 << 0;
pub const MSM_HOLD: u32 = 1 << 1;

/// FAULT_INJECT bits.
pub const FAULT_MSM_DROP_DEFERRAL: u32 = 1 << 0;
pub const FAULT_MSM_CORRUPT_ADDER: u32 = 1 << 1;

/// CONTROL bits.
pub const CONTROL_START: u32 = 1 << 0;
pub const CONTROL_SOFT_RESET: u32 = 1 << 1;

/// STATUS bits and fields.
pub const STATUS_BUSY: u32 = 1 << 0;
pub const STATUS_DONE: u32 = 1 << 1;
pub const STATUS_ERROR_SHIFT: u32 = 8;
pub const STATUS_ERROR_MASK: u32 = 0xFF << STATUS_ERROR_SHIFT;

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
}

impl Opcode {
    pub const ALL: [Opcode; 7] = [
        Opcode::Mul,
        Opcode::Add,
        Opcode::Sub,
        Opcode::PowMul,
        Opcode::Ntt,
        Opcode::MsmLoad,
        Opcode::MsmRun,
    ];
    /// The largest opcode of the elementwise kernel (opcodes 1 ..= KERNEL_MAX); the MSM
    /// unit takes the MSM opcodes above it.
    pub const KERNEL_MAX: u32 = Opcode::Ntt as u32;
    pub fn name(self) -> &'static str {
        match self {
            Opcode::Mul => "mul",
            Opcode::Add => "add",
            Opcode::Sub => "sub",
            Opcode::PowMul => "powmul",
            Opcode::Ntt => "ntt",
            Opcode::MsmLoad => "msm_load",
            Opcode::MsmRun => "msm_run",
        }
    }
    /// Whether the MSM unit (not the elementwise kernel) runs the job.
    pub fn is_msm(self) -> bool {
        matches!(self, Opcode::MsmLoad | Opcode::MsmRun)
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
    /// CONTROL.start while a job was running.
    StartWhileBusy = 5,
    /// An ntt job's JOB_NTT / JOB_COUNT are inconsistent (size 0 or above the core, count
    /// not a multiple of the size, coset with more than one NTT or with twiddles, T > 2^S).
    BadNttConfig = 6,
    /// An msm job's bases lie outside card memory (JOB_MSM_OFFSET + JOB_COUNT >
    /// CAPS_MSM_BASES).
    BadMsmConfig = 7,
}

impl HwError {
    pub const ALL: [HwError; 7] = [
        HwError::UnknownOpcode,
        HwError::CountOutOfRange,
        HwError::ShortStream,
        HwError::LongStream,
        HwError::StartWhileBusy,
        HwError::BadNttConfig,
        HwError::BadMsmConfig,
    ];
    pub fn from_code(code: u8) -> Option<HwError> {
        HwError::ALL.into_iter().find(|e| *e as u8 == code)
    }
    pub fn describe(self) -> &'static str {
        match self {
            HwError::UnknownOpcode => "unknown opcode",
            HwError::CountOutOfRange => "element count out of range",
            HwError::ShortStream => "host-to-card stream shorter than the job",
            HwError::LongStream => "host-to-card stream longer than the job",
            HwError::StartWhileBusy => "start while a job was running",
            HwError::BadNttConfig => "inconsistent NTT job configuration",
            HwError::BadMsmConfig => "MSM bases outside card memory",
        }
    }
}

/// FNV-1a of a preset name: what CAPS_PRESET_HASH holds.
pub fn preset_hash(name: &str) -> u32 {
    name.bytes().fold(0x811C_9DC5u32, |h, b| {
        (h ^ b as u32).wrapping_mul(0x0100_0193)
    })
}

/// The register table of `docs/REGISTERS.md`.
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
             `cargo run -p zkpipe-hdl --example registers` into its table"
        );
    }
}
