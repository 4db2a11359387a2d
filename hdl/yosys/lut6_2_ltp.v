// yosys techmap for the longest-path measurement only (`ltp` counts cells along wires, not
// timing arcs): a LUT6_2 becomes two LUTs over the inputs each output depends on, so the
// path follows the LUT's function as Vivado's timing arcs do. A ternary adder's bit i
// feeds its majority (O5, a function of I0..I2) to bit i + 1's I3; without this map `ltp`
// would see one LUT chain through all the O5 outputs of a carry chain. Every LUT6_2 zkpipe
// instantiates has I5 = 1 (O6 from INIT[63:32]).
module LUT6_2(output O6, output O5, input I0, I1, I2, I3, I4, I5);
  parameter [63:0] INIT = 0;
  generate
    if (INIT[63:48] == INIT[47:32])
      \$lut #(.WIDTH(4), .LUT(INIT[47:32])) o6 (.A({I3, I2, I1, I0}), .Y(O6));
    else
      \$lut #(.WIDTH(6), .LUT(INIT)) o6 (.A({I5, I4, I3, I2, I1, I0}), .Y(O6));
    if (INIT[31:0] == {4{INIT[7:0]}})
      \$lut #(.WIDTH(3), .LUT(INIT[7:0])) o5 (.A({I2, I1, I0}), .Y(O5));
    else
      \$lut #(.WIDTH(5), .LUT(INIT[31:0])) o5 (.A({I4, I3, I2, I1, I0}), .Y(O5));
  endgenerate
endmodule
