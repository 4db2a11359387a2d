//! `TernaryAdder`: three rows summed on one carry chain, one LUT per bit.
//!
//! A bit heap reduced by 6:3 counters spends one LUT per bit it removes. A ternary adder
//! on the UltraScale+ carry chain removes two bits per LUT: bit i's LUT6_2 computes the
//! majority of its three inputs on O5 (the carry-save bit `x` handed to bit i + 1) and the
//! parity of the three inputs and the `x` from bit i − 1 on O6 (the CARRY8 select), with
//! that `x` as the chain's generate input. That packing (two functions of shared inputs in
//! one LUT6_2) is what synthesis tools do not find from `a + b + c`, which yosys maps to two
//! LUTs per bit, so the adder is written with the primitives for synthesis. Verilator
//! compiles the same arithmetic written as vectors (`ifdef VERILATOR`), and a test proves
//! the two equal with yosys' models of the primitives.
//!
//! Outputs for `width` used bits: `sum` (bits 0..width), and two bits of weight 2^width:
//! `co` (the chain's carry out) and `mt` (the majority of the top column):
//! a + b + c + x0 + ci = sum + 2^width·(co + mt).

use rust_hdl::core::prelude::*;

/// Longest chain of one ternary adder: 8 CARRY8. A pipeline stage holds two ternary levels
/// (LUT, chain, LUT, chain: about one 128-bit carry chain).
pub const CHAIN_BITS: usize = 64;

/// Three rows of up to `N` bits (the low `width` used) plus two bits of weight 1 (`x0`,
/// `ci`), summed on one carry chain: combinational, one LUT6_2 per used bit.
#[derive(LogicBlock)]
pub struct TernaryAdder<const N: usize> {
    pub a: Signal<In, Bits<N>>,
    pub b: Signal<In, Bits<N>>,
    pub c: Signal<In, Bits<N>>,
    pub x0: Signal<In, Bit>,
    pub ci: Signal<In, Bit>,
    pub sum: Signal<Out, Bits<N>>,
    pub co: Signal<Out, Bit>,
    pub mt: Signal<Out, Bit>,
    _width: usize,
}

/// LUT6_2 INIT of one bit (I0..I2 = a, b, c; I3 = x from the bit below; I4 = 0; I5 = 1):
/// O6 = a ⊕ b ⊕ c ⊕ x, O5 = maj(a, b, c).
pub fn lut_init() -> u64 {
    let mut init = 0u64;
    for idx in 0..32u64 {
        let bit = |i: u32| idx >> i & 1;
        let maj = (bit(0) + bit(1) + bit(2)) >= 2;
        let parity = (bit(0) ^ bit(1) ^ bit(2) ^ bit(3)) == 1;
        init |= u64::from(maj) << idx;
        init |= u64::from(parity) << (32 + idx);
    }
    init
}

/// Software model: (sum, co, mt) of `width` bits, exactly as the chain computes them.
pub fn eval(
    width: usize,
    a: &[bool],
    b: &[bool],
    c: &[bool],
    x0: bool,
    ci: bool,
) -> (Vec<bool>, bool, bool) {
    let (mut x, mut carry) = (x0, ci);
    let mut sum = Vec::with_capacity(width);
    let mut maj = false;
    for i in 0..width {
        let parity = a[i] ^ b[i] ^ c[i] ^ x;
        maj = (a[i] & b[i]) | (a[i] & c[i]) | (b[i] & c[i]);
        sum.push(parity ^ carry);
        carry = if parity { carry } else { x };
        x = maj;
    }
    (sum, carry, maj)
}

impl<const N: usize> TernaryAdder<N> {
    /// An adder using the low `width` bits (1..=N) of its rows.
    pub fn new(width: usize) -> Self {
        assert!(
            (1..=N).contains(&width),
            "ternary adder width {width} of {N}"
        );
        Self {
            a: Default::default(),
            b: Default::default(),
            c: Default::default(),
            x0: Default::default(),
            ci: Default::default(),
            sum: Default::default(),
            co: Default::default(),
            mt: Default::default(),
            _width: width,
        }
    }
}

impl<const N: usize> Logic for TernaryAdder<N> {
    fn update(&mut self) {
        let w = self._width;
        let row = |v: Bits<N>| (0..w).map(|i| v.get_bit(i)).collect::<Vec<_>>();
        let (sum, co, mt) = eval(
            w,
            &row(self.a.val()),
            &row(self.b.val()),
            &row(self.c.val()),
            self.x0.val(),
            self.ci.val(),
        );
        let mut s = Bits::<N>::default();
        for (i, &v) in sum.iter().enumerate() {
            s = s.replace_bit(i, v);
        }
        self.sum.next = s;
        self.co.next = co;
        self.mt.next = mt;
    }
    fn connect(&mut self) {
        self.sum.connect();
        self.co.connect();
        self.mt.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(verilog(self._width, N))
    }
}

/// The adder's body: vectors for Verilator, LUT6_2 + CARRY8 primitives otherwise.
fn verilog(w: usize, n: usize) -> String {
    let top = w - 1;
    let x = if w == 1 {
        "x0".to_string()
    } else {
        format!("{{mj[{}:0], x0}}", w - 2)
    };
    let pad = if w < n {
        format!("{{{}'d0, ", n - w)
    } else {
        "{".to_string()
    };
    let chains = w.div_ceil(8);
    let padded = chains * 8;
    let mut carry8 = String::new();
    for j in 0..chains {
        let ci = if j == 0 {
            "ci".to_string()
        } else {
            format!("cy[{}]", 8 * j - 1)
        };
        let r = format!("{}:{}", 8 * j + 7, 8 * j);
        carry8.push_str(&format!(
            "CARRY8 #(.CARRY_TYPE(\"SINGLE_CY8\")) chain{j} (.CI({ci}), .CI_TOP(1'b0), \
             .DI(di[{r}]), .S(ps[{r}]), .O(o[{r}]), .CO(cy[{r}]));\n"
        ));
    }
    let ext = |v: &str| {
        if padded > w {
            format!("{{{}'d0, {v}}}", padded - w)
        } else {
            v.to_string()
        }
    };
    format!(
        "wire [{top}:0] mj;
wire [{top}:0] xv = {x};
`ifdef VERILATOR
assign mj = (a[{top}:0] & b[{top}:0]) | (a[{top}:0] & c[{top}:0]) | (b[{top}:0] & c[{top}:0]);
wire [{w}:0] t = {{1'b0, a[{top}:0] ^ b[{top}:0] ^ c[{top}:0]}} + {{1'b0, xv}} + {{{w}'d0, ci}};
always @(*) begin
  sum = {pad}t[{top}:0]}};
  co = t[{w}];
  mt = mj[{top}];
end
`else
wire [{top}:0] p6;
genvar i;
generate for (i = 0; i < {w}; i = i + 1) begin : lutbit
  LUT6_2 #(.INIT(64'h{init:016x})) lut (.O6(p6[i]), .O5(mj[i]), .I0(a[i]), .I1(b[i]), .I2(c[i]), .I3(xv[i]), .I4(1'b0), .I5(1'b1));
end endgenerate
wire [{pt}:0] ps = {ps};
wire [{pt}:0] di = {di};
wire [{pt}:0] o;
wire [{pt}:0] cy;
{carry8}always @(*) begin
  sum = {pad}o[{top}:0]}};
  co = cy[{top}];
  mt = mj[{top}];
end
`endif
",
        init = lut_init(),
        pt = padded - 1,
        ps = ext("p6"),
        di = ext("xv"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// The chain model sums its inputs exactly.
    #[test]
    fn model_sums_its_inputs() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        for w in [1usize, 2, 7, 8, 9, 60] {
            for _ in 0..200 {
                let row =
                    |rng: &mut rand::rngs::StdRng| (0..w).map(|_| rng.gen()).collect::<Vec<bool>>();
                let (a, b, c) = (row(&mut rng), row(&mut rng), row(&mut rng));
                let (x0, ci) = (rng.gen(), rng.gen());
                let val = |r: &[bool]| r.iter().rev().fold(0u128, |v, &x| v << 1 | u128::from(x));
                let (s, co, mt) = eval(w, &a, &b, &c, x0, ci);
                assert_eq!(
                    val(&s) + ((u128::from(co) + u128::from(mt)) << w),
                    val(&a) + val(&b) + val(&c) + u128::from(x0) + u128::from(ci)
                );
            }
        }
    }

    /// yosys proves the primitive netlist (its own LUT6_2/CARRY8 models) equal to the
    /// vectors Verilator compiles, for chain lengths around the CARRY8 boundaries; a wrong
    /// LUT INIT is caught.
    #[test]
    fn primitives_equal_the_vectors() {
        for width in [1, 7, 8, 9, 16] {
            let v = verilog_of(width);
            assert!(
                equivalent(&v),
                "width {width}: primitives differ from the vectors"
            );
            let broken = v.replace(
                &format!("{:016x}", lut_init()),
                &format!("{:016x}", lut_init() ^ 1 << 40),
            );
            assert!(
                !equivalent(&broken),
                "width {width}: a wrong INIT went unnoticed"
            );
        }
    }

    fn verilog_of(width: usize) -> String {
        let mut uut = TernaryAdder::<16>::new(width);
        uut.connect_all();
        generate_verilog_unchecked(&uut)
    }

    /// Runs yosys' SAT prover on "gold (vectors) == gate (primitives)".
    fn equivalent(verilog: &str) -> bool {
        let dir = std::env::temp_dir().join(format!("zkpipe-ternary-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("adder.v");
        std::fs::write(&src, verilog).unwrap();
        let script = format!(
            "read_verilog -DVERILATOR {src}\nrename top gold\nread_verilog {src}\nrename top gate\n\
             read_verilog +/xilinx/cells_sim.v\nread_verilog {wrap}\nhierarchy -top eqtop\n\
             proc\nflatten\nopt\nsat -verify -prove ok 1 eqtop\n",
            src = src.display(),
            wrap = dir.join("eqtop.v").display(),
        );
        std::fs::write(
            dir.join("eqtop.v"),
            "module eqtop(input [15:0] a, b, c, input x0, ci, output ok);\n\
             wire [15:0] s1, s2; wire co1, co2, mt1, mt2;\n\
             gold g1(.a(a), .b(b), .c(c), .x0(x0), .ci(ci), .sum(s1), .co(co1), .mt(mt1));\n\
             gate g2(.a(a), .b(b), .c(c), .x0(x0), .ci(ci), .sum(s2), .co(co2), .mt(mt2));\n\
             assign ok = {s1, co1, mt1} == {s2, co2, mt2};\nendmodule\n",
        )
        .unwrap();
        let ys = dir.join("eq.ys");
        std::fs::write(&ys, script).unwrap();
        let out = std::process::Command::new("yosys")
            .arg("-q")
            .arg("-s")
            .arg(&ys)
            .output()
            .expect("yosys is needed for this test (scripts/setup.sh installs it)");
        out.status.success()
    }
}
