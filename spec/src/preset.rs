//! Typed presets: what to generate, for which curve, in which style, at which clock, and
//! the configuration of each engine derived from them ([`KernelConfig`], [`NttConfig`],
//! [`MsmConfig`]). Hardware blocks take their own engine config, not the whole preset;
//! the host reads the same shapes back from the CAPS_* registers.

use crate::field::FieldId;
use std::fmt;
use std::str::FromStr;

/// How W×W multipliers are built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum MulStyle {
    /// One wide `*` per product: fastest to simulate, not meant for synthesis.
    Behavioural,
    /// 16×16 DSP tiles, registered carry-save trees, segmented adders: the first
    /// synthesisable style (648 DSPs per 254-bit MontMul), kept as a reference.
    Tiled,
    /// DSP48E2-shaped 26×17 tiles, two levels of Karatsuba–Ofman for `a·b`, the constant
    /// products of the reduction (by −p⁻¹ and p) with only the tiles they need: what
    /// real-card presets are synthesised from.
    Karatsuba,
    /// `karatsuba`, with Montgomery's `m = T·(−p⁻¹) mod R` by shift-and-add over the
    /// non-adjacent form of −p⁻¹ (bit-heap LUTs, no DSPs): 80 fewer DSPs per 256-bit
    /// MontMul (180 at 381 bits), for more LUTs.
    KaratsubaNaf,
}

impl MulStyle {
    /// Every style.
    pub const ALL: [MulStyle; 4] = [
        MulStyle::Behavioural,
        MulStyle::Tiled,
        MulStyle::Karatsuba,
        MulStyle::KaratsubaNaf,
    ];
    /// The style's name in presets, module names and manifests.
    pub fn name(self) -> &'static str {
        match self {
            MulStyle::Behavioural => "behavioural",
            MulStyle::Tiled => "tiled",
            MulStyle::Karatsuba => "karatsuba",
            MulStyle::KaratsubaNaf => "karatsuba-naf",
        }
    }
    /// The name as part of a Verilog module name (`karatsuba_naf`).
    pub fn ident(self) -> String {
        self.name().replace('-', "_")
    }
}

impl fmt::Display for MulStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pairing-friendly curve: its scalar field (NTT, MSM scalars) and base field (points).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
pub enum Curve {
    /// BN254 (alt_bn128, circom's "bn128").
    Bn254,
    /// BLS12-381.
    Bls12_381,
}

/// The group an MSM engine adds points of: G1 over the base field, or G2 over its
/// quadratic extension (the twist).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Group {
    /// G1: coordinates in Fq.
    G1,
    /// G2: coordinates in Fq2 = {c1, c0}, c0 in the low half.
    G2,
}

impl Group {
    /// Base-field elements per coordinate.
    pub fn degree(self) -> usize {
        match self {
            Group::G1 => 1,
            Group::G2 => 2,
        }
    }
    /// "g1" or "g2".
    pub fn name(self) -> &'static str {
        match self {
            Group::G1 => "g1",
            Group::G2 => "g2",
        }
    }
}

impl Curve {
    /// Every supported curve.
    pub const ALL: [Curve; 2] = [Curve::Bn254, Curve::Bls12_381];
    /// The curve's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Curve::Bn254 => "bn254",
            Curve::Bls12_381 => "bls12-381",
        }
    }
    /// The curve id CAPS_CURVE reports (1 = BN254, 2 = BLS12-381).
    pub fn id(self) -> u32 {
        match self {
            Curve::Bn254 => 1,
            Curve::Bls12_381 => 2,
        }
    }
    /// The curve of a CAPS_CURVE id, if zkpipe knows it.
    pub fn from_id(id: u32) -> Option<Curve> {
        Curve::ALL.into_iter().find(|c| c.id() == id)
    }
    /// The field whose elements are scalars (NTT data, MSM scalars).
    pub fn scalar_field(self) -> FieldId {
        match self {
            Curve::Bn254 => FieldId::Bn254Fr,
            Curve::Bls12_381 => FieldId::Bls12_381Fr,
        }
    }
    /// The field of the G1 points' coordinates.
    pub fn base_field(self) -> FieldId {
        match self {
            Curve::Bn254 => FieldId::Bn254Fq,
            Curve::Bls12_381 => FieldId::Bls12_381Fq,
        }
    }
}

/// One named hardware configuration.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Preset {
    /// Name (`synth --preset`, `sim:<name>`).
    pub name: &'static str,
    /// One line for `synth --list`.
    pub description: &'static str,
    /// The curve every engine computes over.
    pub curve: Curve,
    /// Multiplier style of every field unit.
    pub mul_style: MulStyle,
    /// Clock the design is meant to close timing at; projections use it.
    pub clock_mhz: f64,
    /// Target FPGA part, if the preset is for a real card.
    pub part: Option<&'static str>,
    /// Largest element count of one elementwise job (CAPS_MAX_COUNT).
    pub max_job_elements: u32,
    /// log2 of the on-chip NTT core size N.
    pub ntt_log_size: usize,
    /// S: the four-step twiddle unit generates powers of a primitive 2^S-th root of unity,
    /// so transforms up to 2^S points run on the card (two ROMs of 2^(S/2) words).
    pub ntt_twiddle_log: usize,
    /// MSM window size c in bits: 2^c − 1 buckets per window, ⌈scalar bits / c⌉ windows.
    pub msm_window_bits: usize,
    /// log2 of the card memory for resident MSM bases, in points (CAPS_MSM_BASES).
    pub msm_log_bases: usize,
    /// Entries of the MSM deferral FIFO (points whose bucket is in the adder).
    pub msm_fifo_depth: usize,
    /// G1 point adders of the MSM engine. Real-card presets take it from the part's
    /// budget (`synth` reports how many would fit: `resources.json`, `max_msm_adders`).
    pub msm_adders: usize,
    /// Bucket reduction on the card (complete projective adders: one more MontMul each).
    pub msm_reduce: bool,
    /// G2 point adders of the G2 MSM engine (0: no G2 engine, G2 MSMs run on the host).
    /// The G2 engine is the same Pippenger unit over the Fq2 adder, with the G1 engine's
    /// deferral FIFO and reduction and its own window size and card memory (below). Only
    /// curves whose Fq2 coordinate fits one stream beat (BN254) can have one so far.
    pub msm_g2_adders: usize,
    /// The G2 engine's window size c (its buckets are twice a G1 bucket's bits: a real
    /// card's RAM budget may want a smaller c than the G1 engine's).
    pub msm_g2_window_bits: usize,
    /// log2 of the card memory for resident G2 bases, in points (CAPS_MSM_G2_BASES; a G2
    /// base is twice a G1 base's bits).
    pub msm_g2_log_bases: usize,
    /// Issue interval of the G2 adders: each base-field multiplier serves this many of an
    /// addition's 39–42 products, so a G2 adder has ⌈products / interval⌉ MontMuls and takes
    /// an addition every `interval` cycles (1: fully parallel). What lets a G2 engine fit
    /// beside the NTT path and the G1 adders of a real card.
    pub msm_g2_interval: usize,
    /// The card memory behind the board's AXI4 master port.
    pub card_memory: CardMemoryConfig,
}

/// The card's memory (DDR or HBM) as the board's AXI4 master port sees it: what the
/// simulated board models and the `model:` device projects with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CardMemoryConfig {
    /// log2 of its size in bytes (CAPS_CARD_MEMORY reports it in MiB).
    pub log_bytes: u32,
    /// Kernel-clock cycles from a read request to its first beat, and from a write burst's
    /// last beat to its response.
    pub latency_cycles: u32,
    /// Bytes per kernel cycle the port sustains, reads and writes together (the memory
    /// channel's rate, after refresh and turnarounds, at the preset clock).
    pub bytes_per_cycle: u32,
    /// Extra bytes of channel time each burst costs (opening a row, command overhead): a
    /// 64-beat burst pays it once per 4 KiB, a single-beat access of a transposed side or a
    /// zip once per beat — about half the channel's rate for strides, as DDR4 gives
    /// random 64-byte accesses.
    pub burst_overhead_bytes: u32,
}

impl CardMemoryConfig {
    /// Size in bytes.
    pub const fn bytes(&self) -> u64 {
        1 << self.log_bytes
    }
    /// Size in MiB (CAPS_CARD_MEMORY).
    pub const fn mib(&self) -> u32 {
        (self.bytes() >> 20) as u32
    }
}

/// Every preset the generator knows.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "sim-small",
        description: "BN254, behavioural multipliers: fast Verilator simulation for tests",
        curve: Curve::Bn254,
        mul_style: MulStyle::Behavioural,
        clock_mhz: 250.0,
        part: None,
        max_job_elements: 1 << 16,
        ntt_log_size: 8,
        ntt_twiddle_log: 16,
        msm_window_bits: 8,
        msm_log_bases: 16,
        msm_fifo_depth: 16,
        // Two lanes, so the default suite runs the multi-adder paths (sim-bls12-381 keeps
        // one: both shapes are tested).
        msm_adders: 2,
        // Reduction on the card; sim-bls12-381 keeps mixed adders and the host's
        // reduction, so both configurations are simulated.
        msm_reduce: true,
        msm_g2_adders: 1,
        // Shared multipliers (14 instead of 42), so the default suite runs that path.
        msm_g2_interval: 3,
        // A smaller window than G1's: at interval 3 the reduction (∝ windows × 2^(c−1))
        // dominates the small G2 MSMs of the tests; c = 6 cuts it to a third.
        msm_g2_window_bits: 6,
        msm_g2_log_bases: 16,
        // 16 MiB at a beat and a half per cycle: a unary job memory to memory (half a beat
        // each way per cycle) runs at the kernel's rate.
        card_memory: CardMemoryConfig {
            log_bytes: 24,
            latency_cycles: 30,
            bytes_per_cycle: 96,
            burst_overhead_bytes: 64,
        },
    },
    Preset {
        name: "sim-bls12-381",
        description:
            "BLS12-381, behavioural multipliers: the same generator on the second curve, for tests",
        curve: Curve::Bls12_381,
        mul_style: MulStyle::Behavioural,
        clock_mhz: 250.0,
        part: None,
        max_job_elements: 1 << 16,
        ntt_log_size: 8,
        ntt_twiddle_log: 16,
        msm_window_bits: 8,
        msm_log_bases: 12,
        msm_fifo_depth: 16,
        msm_adders: 1,
        msm_reduce: false,
        msm_g2_adders: 0,
        msm_g2_interval: 1,
        msm_g2_window_bits: 8,
        msm_g2_log_bases: 12,
        // Slower than the kernel (0.75 beats per cycle for a unary job's 1): the default
        // suite runs the card-memory paths under back-pressure too.
        card_memory: CardMemoryConfig {
            log_bytes: 24,
            latency_cycles: 45,
            bytes_per_cycle: 48,
            burst_overhead_bytes: 64,
        },
    },
    Preset {
        name: "u250-bn254",
        description:
            "BN254 on a Xilinx Alveo U250 (UltraScale+), Karatsuba DSP multipliers, m by NAF",
        curve: Curve::Bn254,
        mul_style: MulStyle::KaratsubaNaf,
        clock_mhz: 250.0,
        part: Some("xcu250-figd2104-2L-e"),
        max_job_elements: 1 << 24,
        // 2^10 core: the path's 15 MontMuls, two full G1 adders' 24 and the G2 adder's 11
        // are 9,735 DSPs (79.2 %; `synth --preset u250-bn254`). With three G1 adders and no
        // G2 engine a 2^9 core was what fitted.
        ntt_log_size: 10,
        ntt_twiddle_log: 24,
        // c = 13: 20 windows, the top one 7 bits wide. (c = 12 leaves a 2-bit top window whose
        // 3 buckets are always in flight: 0.6 utilisation in the cycle model.)
        msm_window_bits: 13,
        msm_log_bases: 18,
        msm_fifo_depth: 32,
        msm_adders: 2,
        msm_reduce: true,
        // A G2 engine instead of a third G1 adder: a proof's G2 MSM leaves the host. At
        // issue interval 4 the G2 adder is 11 MontMuls (a G1 adder is 12). Its memories go
        // beside the G1 engine's in URAM: 2^16 resident G2 bases (a 2^16-constraint proof's
        // B query) and c = 10 (26 windows, the top one 5 bits; c = 11 or 12 would take the
        // URAM over 80 %, and leave a 2- or 3-bit top window).
        msm_g2_adders: 1,
        msm_g2_interval: 4,
        msm_g2_window_bits: 10,
        msm_g2_log_bases: 16,
        card_memory: U250_DDR4,
    },
    Preset {
        name: "u250-bls12-381",
        description:
            "BLS12-381 on a Xilinx Alveo U250 (UltraScale+), Karatsuba DSP multipliers, m by NAF",
        curve: Curve::Bls12_381,
        mul_style: MulStyle::KaratsubaNaf,
        clock_mhz: 250.0,
        part: Some("xcu250-figd2104-2L-e"),
        max_job_elements: 1 << 24,
        // 2^10 core: its 15 MontMuls (195 DSPs) and one full adder's 12 BLS12-381 Fq ones
        // (359 DSPs) are 7,233 DSPs (58.9 %); a second adder would be 11,541 (93.9 %).
        ntt_log_size: 10,
        ntt_twiddle_log: 24,
        msm_window_bits: 13,
        msm_log_bases: 17,
        msm_fifo_depth: 32,
        msm_adders: 1,
        msm_reduce: true,
        msm_g2_adders: 0,
        msm_g2_interval: 1,
        msm_g2_window_bits: 13,
        msm_g2_log_bases: 17,
        card_memory: U250_DDR4,
    },
    Preset {
        name: "u55c-bn254",
        description:
            "BN254 on a Xilinx Alveo U55C (UltraScale+, HBM), Karatsuba DSP multipliers, m by NAF",
        curve: Curve::Bn254,
        mul_style: MulStyle::KaratsubaNaf,
        clock_mhz: 250.0,
        part: Some("xcu55c-fsvh2892-2L-e"),
        max_job_elements: 1 << 24,
        // 2^8 core: the 9,024 DSPs of the part hold the path's 13 MontMuls and two full
        // adders' 24 at 7,202 DSPs (79.8 %).
        ntt_log_size: 8,
        ntt_twiddle_log: 24,
        msm_window_bits: 13,
        msm_log_bases: 17,
        msm_fifo_depth: 32,
        msm_adders: 2,
        msm_reduce: true,
        msm_g2_adders: 0,
        msm_g2_interval: 1,
        msm_g2_window_bits: 13,
        msm_g2_log_bases: 17,
        // One HBM2 pseudo-channel pair through the HBM switch: 2 GiB at ~26 GB/s.
        card_memory: CardMemoryConfig {
            log_bytes: 31,
            latency_cycles: 60,
            bytes_per_cycle: 104,
            burst_overhead_bytes: 64,
        },
    },
];

/// One of the U250's four DDR4-2400 channels (16 GiB, 72-bit with ECC): 19.2 GB/s peak,
/// ~85 % sustained = 65 bytes per cycle at 250 MHz — a unary job memory to memory (64 bytes
/// per cycle) just fits — and ~40 cycles through the memory controller.
const U250_DDR4: CardMemoryConfig = CardMemoryConfig {
    log_bytes: 34,
    latency_cycles: 40,
    bytes_per_cycle: 65,
    burst_overhead_bytes: 64,
};

/// The real-card preset `synth` generates when none is named.
pub const DEFAULT_PRESET: &str = "u250-bn254";

impl Preset {
    /// The elementwise kernel's configuration.
    pub fn kernel(&self) -> KernelConfig {
        KernelConfig {
            field: self.curve.scalar_field(),
            mul_style: self.mul_style,
            max_job_elements: self.max_job_elements,
        }
    }
    /// The NTT engine's configuration.
    pub fn ntt(&self) -> NttConfig {
        NttConfig {
            curve: self.curve,
            mul_style: self.mul_style,
            log_size: self.ntt_log_size,
            twiddle_log: self.ntt_twiddle_log,
        }
    }
    /// The MSM engine's configuration.
    pub fn msm(&self) -> MsmConfig {
        MsmConfig::new(
            self.curve,
            self.mul_style,
            self.msm_window_bits,
            self.msm_log_bases,
            self.msm_fifo_depth,
        )
        .with_adders(self.msm_adders)
        .with_reduce(self.msm_reduce)
    }
    /// The G2 MSM engine's configuration (None: the preset has none).
    pub fn msm_g2(&self) -> Option<MsmConfig> {
        (self.msm_g2_adders > 0).then(|| {
            MsmConfig::new(
                self.curve,
                self.mul_style,
                self.msm_g2_window_bits,
                self.msm_g2_log_bases,
                self.msm_fifo_depth,
            )
            .with_adders(self.msm_g2_adders)
            .with_reduce(self.msm_reduce)
            .with_interval(self.msm_g2_interval)
            .for_group(Group::G2)
        })
    }
    /// The part a real-card preset targets (None for simulation presets).
    pub fn part(&self) -> Option<&'static crate::part::Part> {
        self.part.and_then(crate::part::Part::by_name)
    }
    /// The preset's hash as CAPS_PRESET_HASH reports it.
    pub fn hash(&self) -> u32 {
        crate::regs::preset_hash(self.name)
    }
    /// The preset whose name hashes to CAPS_PRESET_HASH `hash`, if zkpipe knows it.
    pub fn by_hash(hash: u32) -> Option<&'static Preset> {
        PRESETS.iter().find(|p| p.hash() == hash)
    }
    /// The preset called `name`.
    pub fn by_name(name: &str) -> Result<&'static Preset, UnknownPreset> {
        PRESETS
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| UnknownPreset(name.to_string()))
    }
}

impl FromStr for &'static Preset {
    type Err = UnknownPreset;
    fn from_str(s: &str) -> Result<Self, UnknownPreset> {
        Preset::by_name(s)
    }
}

/// A preset name that is not in [`PRESETS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPreset(pub String);

impl fmt::Display for UnknownPreset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<_> = PRESETS.iter().map(|p| p.name).collect();
        write!(
            f,
            "unknown preset `{}` (known presets: {}; `synth --list` describes them)",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownPreset {}

/// The elementwise kernel (mul, add, sub, powmul over the scalar field).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct KernelConfig {
    /// The field the kernel computes in.
    pub field: FieldId,
    /// Multiplier style of its MontMul.
    pub mul_style: MulStyle,
    /// Largest element count of one job (CAPS_MAX_COUNT).
    pub max_job_elements: u32,
}

/// The NTT engine (core, front multiplier, four-step twiddle unit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NttConfig {
    /// The curve whose scalar field the transform is over.
    pub curve: Curve,
    /// Multiplier style of the butterflies and the front multiplier.
    pub mul_style: MulStyle,
    /// log2 of the core size N.
    pub log_size: usize,
    /// S: largest four-step transform (2^S points) whose twiddles the card generates.
    pub twiddle_log: usize,
}

impl NttConfig {
    /// The field of the transform.
    pub fn field(&self) -> FieldId {
        self.curve.scalar_field()
    }
}

/// The shape of an MSM engine: what the hardware is generated for and what CAPS_MSM /
/// CAPS_MSM_BASES report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct MsmConfig {
    /// The curve of the points.
    pub curve: Curve,
    /// Multiplier style of the point adder.
    pub mul_style: MulStyle,
    /// Window size c.
    pub window_bits: usize,
    /// Windows per scalar: ⌈(scalar bits + 1) / c⌉, so that the carry of the signed digits
    /// never leaves the top window.
    pub windows: usize,
    /// Bits of the scalar field's modulus.
    pub scalar_bits: usize,
    /// Base-field element width W (256 or 384).
    pub field_width: usize,
    /// The group of the points.
    pub group: Group,
    /// Width of one coordinate: W · the group's degree.
    pub coord_width: usize,
    /// Stream beats per affine base point (1 if both coordinates fit one beat, else 2).
    pub point_beats: usize,
    /// log2 of the base memory size, in points.
    pub log_bases: usize,
    /// Entries of the deferral FIFO (points whose bucket is in the adder).
    pub fifo_depth: usize,
    /// Point adders.
    pub adders: usize,
    /// Depth of each lane's point queue: how far lanes may drift apart (points).
    pub lane_queue: usize,
    /// Bucket reduction on the card: the adders are complete *projective* adders (one
    /// more MontMul each than mixed ones) that also sum the buckets after accumulation
    /// (see [`ReducePlan`]).
    pub reduce: bool,
    /// Issue interval of the adders: an addition every `interval` cycles, each of the
    /// adder's MontMuls serving `interval` of its products (1: one addition per cycle).
    /// The lanes, and the reduction's schedule, act on one cycle in `interval`.
    pub interval: usize,
}

/// Points each MSM lane can hold besides the one it walks, so lanes run ahead of each
/// other instead of meeting at every point (a power of two).
pub const LANE_QUEUE: usize = 4;

/// How the MSM unit reduces its buckets on the card. Each window's 2^(c−1) buckets are
/// split into `groups` runs of `per_group` consecutive magnitudes; each (window, group)
/// is a chain with a running sum S and a weighted sum T, computed top magnitude first:
/// S ← S + B_m, T ← T + S (the T step one round behind). A round gives every chain of a
/// lane one S step and one T step in fixed slots, so a chain's next step always finds its
/// previous result written back: a round is `slots` = max(2 · chains, ⌈(adder latency + 2)
/// / interval⌉) issue slots of `interval` cycles, and there are `per_group` + 2 rounds (the
/// last T steps, then the drain).
/// The host gets, per window and group g, S_g = Σ B_m and T_g = Σ (m − g·per_group)·B_m,
/// and the window sum is Σ_g T_g + g·per_group·S_g.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReducePlan {
    /// Groups G per window (a power of two).
    pub groups: usize,
    /// Magnitudes per group K = 2^(c−1) / G.
    pub per_group: usize,
    /// Chains per lane: its most windows × G.
    pub chains: usize,
    /// Cycles of a round.
    pub slots: usize,
    /// Rounds: K + 2.
    pub rounds: usize,
    /// Cycles per slot: the adders' issue interval.
    pub interval: usize,
}

impl ReducePlan {
    /// Cycles of the whole reduction.
    pub fn cycles(&self) -> usize {
        self.slots * self.rounds * self.interval
    }
}

impl MsmConfig {
    /// The engine for `curve` with window size `window_bits`, `2^log_bases` resident bases
    /// and a deferral FIFO of `fifo_depth` entries (one adder).
    pub fn new(
        curve: Curve,
        mul_style: MulStyle,
        window_bits: usize,
        log_bases: usize,
        fifo_depth: usize,
    ) -> Self {
        let scalar_bits = curve.scalar_field().params().modulus_bits as usize;
        let field_width = curve.base_field().params().width();
        MsmConfig {
            curve,
            mul_style,
            window_bits,
            windows: (scalar_bits + 1).div_ceil(window_bits),
            scalar_bits,
            field_width,
            group: Group::G1,
            coord_width: field_width,
            point_beats: crate::wire::point_beats(field_width),
            log_bases,
            fifo_depth,
            adders: 1,
            lane_queue: LANE_QUEUE,
            reduce: false,
            interval: 1,
        }
    }

    /// The same engine with adders that take an addition every `interval` cycles.
    pub fn with_interval(mut self, interval: usize) -> Self {
        assert!(interval >= 1, "an issue interval is at least one cycle");
        self.interval = interval;
        self
    }

    /// The same engine over the points of `group` (coordinates `group.degree()` base-field
    /// elements wide).
    pub fn for_group(mut self, group: Group) -> Self {
        self.group = group;
        self.coord_width = self.field_width * group.degree();
        self.point_beats = crate::wire::point_beats(self.coord_width);
        self
    }

    /// Whether a coordinate fits one stream beat, as the msm_load and readout formats
    /// need (false for BLS12-381 G2: 768-bit coordinates).
    pub fn fits_wire(&self) -> bool {
        self.coord_width <= crate::wire::BEAT_BITS
    }

    /// The same engine with (or without) the bucket reduction on the card.
    pub fn with_reduce(mut self, reduce: bool) -> Self {
        self.reduce = reduce;
        self
    }

    /// The reduction schedule for adders of `adder_latency` cycles (None without
    /// reduction): the power-of-two group count with the fewest cycles.
    pub fn reduce_plan(&self, adder_latency: usize) -> Option<ReducePlan> {
        if !self.reduce {
            return None;
        }
        let m = self.buckets_per_window();
        let wl = self.lane_windows(0);
        // G = 1, 2, … 2^(c−1) = m.
        (0..self.window_bits)
            .map(|lg| 1usize << lg)
            .map(|groups| {
                let chains = wl * groups;
                ReducePlan {
                    groups,
                    per_group: m / groups,
                    chains,
                    slots: (2 * chains).max((adder_latency + 2).div_ceil(self.interval)),
                    rounds: m / groups + 2,
                    interval: self.interval,
                }
            })
            .min_by_key(|p| (p.cycles(), p.groups))
    }

    /// Card-to-host beats of an msm_run job that reduces on the card: X, Y, Z of S_g and
    /// T_g for every window and group.
    pub fn reduced_readout_beats(&self, groups: usize) -> usize {
        crate::wire::BUCKET_BEATS * 2 * self.windows * groups
    }

    /// The same engine with `adders` point adders.
    pub fn with_adders(mut self, adders: usize) -> Self {
        self.adders = adders;
        self
    }

    /// Buckets per window (signed digits: magnitudes 1 ..= 2^(c−1)).
    pub fn buckets_per_window(&self) -> usize {
        crate::wire::buckets_per_window(self.window_bits)
    }

    /// Windows of adder (lane) k: the windows w ≡ k (mod adders).
    pub fn lane_windows(&self, k: usize) -> usize {
        (self.windows - k).div_ceil(self.adders)
    }

    /// Entries of each lane's bucket memory (its most windows × buckets per window): also
    /// the cycles of the clearing sweep, which runs in every lane at once.
    pub fn lane_buckets(&self) -> usize {
        self.lane_windows(0) * self.buckets_per_window()
    }

    /// Card-to-host beats of one msm_run job: X, Y, Z of every bucket.
    pub fn readout_beats(&self) -> usize {
        crate::wire::readout_beats(self.windows, self.window_bits)
    }

    /// Resident base capacity in points.
    pub fn capacity(&self) -> usize {
        1 << self.log_bases
    }

    /// The CAPS_MSM register fields.
    pub fn caps(&self) -> crate::regs::CapsMsm {
        crate::regs::CapsMsm {
            window_bits: self.window_bits as u32,
            windows: self.windows as u32,
            adders: self.adders as u32,
            point_beats: self.point_beats as u32,
        }
    }
}
