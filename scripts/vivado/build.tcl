# Skeleton Vivado flow for a zkpipe board (see docs/HARDWARE.md).
# Arguments: output folder, FPGA part, board Verilog file, preset name.
lassign $argv dir part board preset
create_project -in_memory -part $part

# The generated board: module `top`, clock `clock`, AXI4-Lite `csr_*`, streams `h2c_*`/`c2h_*`.
read_verilog [file join $dir $board]

# XDMA in AXI-Stream mode, two H2C and two C2H channels (job queues 0 and 1, register
# map 4.2; one each for a preset without a G2 engine), 512-bit user interface,
# AXI4-Lite master on BAR0 (board registers), DMA registers on BAR1.
create_ip -name xdma -vendor xilinx.com -library ip -module_name xdma_0
set_property -dict [list \
    CONFIG.mode_selection {Advanced} \
    CONFIG.pl_link_cap_max_link_width {X16} \
    CONFIG.pl_link_cap_max_link_speed {8.0_GT/s} \
    CONFIG.axi_data_width {512_bit} \
    CONFIG.axisten_freq {250} \
    CONFIG.xdma_axi_intf_mm {AXI_Stream} \
    CONFIG.xdma_rnum_chnl {2} CONFIG.xdma_wnum_chnl {2} \
    CONFIG.axilite_master_en {true} CONFIG.axilite_master_size {4} \
    CONFIG.xdma_num_usr_irq {1} \
] [get_ips xdma_0]
generate_target all [get_ips xdma_0]

# A small wrapper (to be written per card) instantiates xdma_0 and `top` and connects:
#   xdma axi_aclk           -> top.clock
#   m_axil_aw*/w*/b*/ar*/r* -> top.csr_aw*/w*/b*/ar*/r*   (address bits 15:0)
#   m_axis_h2c_*_0          -> top.h2c_tdata/tvalid/tlast/tready
#   s_axis_c2h_*_0          <- top.c2h_tdata/tvalid/tlast/tready (tkeep all ones)
#   m_axis_h2c_*_1          -> top.h2c1_tdata/tvalid/tlast/tready (queue 1: the G2 engine)
#   s_axis_c2h_*_1          <- top.c2h1_tdata/tvalid/tlast/tready
#   usr_irq_req[0]          <- top.irq
#   top.m_ar*/r*/aw*/w*/b*  -> the DDR4 controller's AXI4 slave (card memory, map 4.1)
# plus the card's PCIe reference clock and reset pins in an XDC file.
# read_verilog wrapper.v ; read_xdc card.xdc
# synth_design -top zkpipe_wrapper -part $part
# opt_design ; place_design ; route_design
# report_utilization -file [file join $dir utilization.rpt]
# report_timing_summary -file [file join $dir timing.rpt]
# write_bitstream [file join $dir zkpipe_$preset.bit]
puts "zkpipe: skeleton only; complete the wrapper and constraints for your card (docs/HARDWARE.md)"
