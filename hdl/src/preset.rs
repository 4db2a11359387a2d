//! Typed presets: what to generate, for which curve, in which style, at which clock.

use crate::field::FieldId;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// How W×W multipliers are built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MulStyle {
    /// One wide `*` per product: fastest to simulate, not meant for synthesis.
    Behavioural,
    /// 16×16 DSP tiles, registered carry-save trees, segmented adders: for synthesis.
    Tiled,
}

impl MulStyle {
    pub const ALL: [MulStyle; 2] = [MulStyle::Behavioural, MulStyle::Tiled];
    pub fn name(self) -> &'static str {
        match self {
            MulStyle::Behavioural => "behavioural",
            MulStyle::Tiled => "tiled",
        }
    }
}

impl fmt::Display for MulStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pairing-friendly curve: its scalar field (NTT, MSM scalars) and base field (points).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Curve {
    Bn254,
    Bls12_381,
}

impl Curve {
    pub const ALL: [Curve; 2] = [Curve::Bn254, Curve::Bls12_381];
    pub fn name(self) -> &'static str {
        match self {
            Curve::Bn254 => "bn254",
            Curve::Bls12_381 => "bls12-381",
        }
    }
    pub fn scalar_field(self) -> FieldId {
        match self {
            Curve::Bn254 => FieldId::Bn254Fr,
            Curve::Bls12_381 => FieldId::Bls12_381Fr,
        }
    }
    pub fn base_field(self) -> FieldId {
        match self {
            Curve::Bn254 => FieldId::Bn254Fq,
            Curve::Bls12_381 => FieldId::Bls12_381Fq,
        }
    }
}

/// One named hardware configuration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub curve: Curve,
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
    },
    Preset {
        name: "u250-bn254",
        description: "BN254 on a Xilinx Alveo U250 (UltraScale+), tiled DSP multipliers",
        curve: Curve::Bn254,
        mul_style: MulStyle::Tiled,
        clock_mhz: 250.0,
        part: Some("xcu250-figd2104-2L-e"),
        max_job_elements: 1 << 24,
        ntt_log_size: 10,
        ntt_twiddle_log: 24,
        // c = 13: 20 windows, the top one 7 bits wide. (c = 12 leaves a 2-bit top window whose
        // 3 buckets are always in flight: 0.6 utilisation in the cycle model.)
        msm_window_bits: 13,
        msm_log_bases: 18,
        msm_fifo_depth: 32,
    },
    Preset {
        name: "u250-bls12-381",
        description: "BLS12-381 on a Xilinx Alveo U250 (UltraScale+), tiled DSP multipliers",
        curve: Curve::Bls12_381,
        mul_style: MulStyle::Tiled,
        clock_mhz: 250.0,
        part: Some("xcu250-figd2104-2L-e"),
        max_job_elements: 1 << 24,
        ntt_log_size: 10,
        ntt_twiddle_log: 24,
        msm_window_bits: 13,
        msm_log_bases: 17,
        msm_fifo_depth: 32,
    },
];

/// The real-card preset `synth` generates when none is named.
pub const DEFAULT_PRESET: &str = "u250-bn254";

impl Preset {
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
