//! FPGA parts that real-card presets target, with the resources the generator budgets
//! against (from the vendors' product tables).

/// The resources of one part (or what a design uses of them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Budget {
    /// DSP48E2 slices.
    pub dsp: u64,
    /// 6-input LUTs.
    pub lut: u64,
    /// Flip-flops.
    pub ff: u64,
    /// Block RAM bits (36 Kb blocks).
    pub bram_bits: u64,
    /// UltraRAM bits (288 Kb blocks).
    pub uram_bits: u64,
}

/// A target FPGA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Part {
    /// The part number as Vivado spells it.
    pub name: &'static str,
    /// The card it sits on.
    pub card: &'static str,
    /// What the part has.
    pub available: Budget,
}

const BRAM36: u64 = 36 * 1024;
const URAM288: u64 = 288 * 1024;

/// Every part zkpipe budgets for.
pub const PARTS: &[Part] = &[
    // Alveo U250 (DS962): 1,728k LUTs, 3,456k FFs, 12,288 DSPs, 2,688 BRAM36, 1,280 URAM.
    Part {
        name: "xcu250-figd2104-2L-e",
        card: "Alveo U250 (4 × 16 GiB DDR4)",
        available: Budget {
            dsp: 12_288,
            lut: 1_728_000,
            ff: 3_456_000,
            bram_bits: 2_688 * BRAM36,
            uram_bits: 1_280 * URAM288,
        },
    },
    // Alveo U55C (DS978): 1,304k LUTs, 2,607k FFs, 9,024 DSPs, 2,016 BRAM36, 960 URAM.
    Part {
        name: "xcu55c-fsvh2892-2L-e",
        card: "Alveo U55C (16 GiB HBM2e)",
        available: Budget {
            dsp: 9_024,
            lut: 1_303_680,
            ff: 2_607_360,
            bram_bits: 2_016 * BRAM36,
            uram_bits: 960 * URAM288,
        },
    },
];

/// The share of every resource a real-card preset may use (the rest is the XDMA shell,
/// the memory controllers and routing slack).
pub const FIT_LIMIT: f64 = 0.80;

impl Part {
    /// The part called `name`.
    pub fn by_name(name: &str) -> Option<&'static Part> {
        PARTS.iter().find(|p| p.name == name)
    }
    /// [`FIT_LIMIT`] of every resource of the part.
    pub fn limit(&self) -> Budget {
        let f = |x: u64| (x as f64 * FIT_LIMIT).floor() as u64;
        let a = self.available;
        Budget {
            dsp: f(a.dsp),
            lut: f(a.lut),
            ff: f(a.ff),
            bram_bits: f(a.bram_bits),
            uram_bits: f(a.uram_bits),
        }
    }
}
