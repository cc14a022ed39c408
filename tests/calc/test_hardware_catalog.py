"""The hardware catalog checked against the figures its datasheets and whitepapers print."""
import pytest

from llmviz.catalog.hardware import GPUS, INTERCONNECTS, get_gpu, get_interconnect

REQUIRED = ("a100-80gb-sxm", "h100-sxm", "h200-sxm", "b200", "mi300x")


def test_required_gpus_are_present_and_sourced():
    for name in REQUIRED:
        g = get_gpu(name)
        assert "http" in g.source
        assert {"bf16", "fp16"} <= set(g.flops)
    for i in INTERCONNECTS.values():
        assert "http" in i.source


@pytest.mark.parametrize("name,dtype,sparse_tflops", [
    # Datasheets print the with-2:4-sparsity figure; the catalog stores dense = half of it.
    ("a100-80gb-sxm", "bf16", 624),     # A100 datasheet: BF16 624 TFLOPS*
    ("a100-80gb-sxm", "int8", 1248),    # A100 datasheet: INT8 1,248 TOPS*
    ("h100-sxm", "bf16", 1979),         # H100 datasheet: BF16 1,979 TFLOPS*
    ("h100-sxm", "fp8", 3958),          # H100 datasheet: FP8 3,958 TFLOPS*
    ("h200-sxm", "fp8", 3958),          # H200 datasheet: FP8 3,958 TFLOPS*
    ("mi300x", "bf16", 2614.9),         # MI300X data sheet: BF16 with sparsity 2,614.9 TFLOPS
    ("mi300x", "fp8", 5229.8),          # MI300X data sheet: FP8 with sparsity 5,229.8 TFLOPS
])
def test_dense_is_half_the_with_sparsity_datasheet_figure(name, dtype, sparse_tflops):
    assert 2 * get_gpu(name).flops[dtype] / 1e12 == pytest.approx(sparse_tflops, rel=1e-3)


def test_b200_matches_the_hgx_b200_eight_gpu_totals():
    # HGX B200 (8 GPUs, with sparsity): FP4 144, FP8 72, BF16 36 PFLOPS; 1.44 TB HBM3e (DGX B200),
    # 64 TB/s HBM bandwidth (DGX B200); NVLink 5: 1.8 TB/s per GPU.
    b = get_gpu("b200")
    for dtype, pflops in (("fp4", 144), ("fp8", 72), ("bf16", 36)):
        assert 8 * 2 * b.flops[dtype] == pytest.approx(pflops * 1e15)
    assert 8 * b.hbm_bytes == pytest.approx(1.44e12)
    assert 8 * b.hbm_bytes_per_s == pytest.approx(64e12)
    assert b.scale_up_bidirectional_bytes_per_s == 1.8e12


def test_each_generation_doubles_low_precision_throughput():
    # Hopper and CDNA 3: FP8 = 2 x BF16; Blackwell: FP4 = 2 x FP8 = 4 x BF16.
    for name in ("h100-sxm", "h200-sxm", "mi300x", "b200"):
        g = get_gpu(name)
        assert g.flops["fp8"] == pytest.approx(2 * g.flops["bf16"], rel=1e-3)
    b = get_gpu("b200")
    assert b.flops["fp4"] == 2 * b.flops["fp8"]


def test_h200_is_h100_with_more_and_faster_memory():
    # NVIDIA: H200 has the H100's compute, 141 GB (1.76x) and 4.8 TB/s (1.4x).
    h100, h200 = get_gpu("h100-sxm"), get_gpu("h200-sxm")
    assert h100.flops == h200.flops
    assert h200.hbm_bytes == 141e9 and h200.hbm_bytes_per_s == 4.8e12
    assert h200.hbm_bytes_per_s / h100.hbm_bytes_per_s == pytest.approx(1.4, abs=0.05)


@pytest.mark.parametrize("name,ridge", [
    ("h100-sxm", 295.3),       # 989.4 TFLOP/s / 3.35 TB/s
    ("a100-80gb-sxm", 153.0),  # 312 TFLOP/s / 2.039 TB/s
    ("mi300x", 246.7),         # 1307.4 TFLOP/s / 5.3 TB/s
])
def test_bf16_ridge_points_from_datasheet_pairs(name, ridge):
    g = get_gpu(name)
    assert g.flops["bf16"] / g.hbm_bytes_per_s == pytest.approx(ridge, abs=0.1)


def test_register_files_and_l2_match_the_architecture_whitepapers():
    # Ampere whitepaper Table 3 (A100): register file 27,648 KB, L2 40,960 KB, 108 SMs,
    # shared memory up to 164 KB/SM. Hopper whitepaper Table 3 (H100 SXM5): register file
    # 33,792 KB, L2 50 MB, 132 SMs, shared memory up to 228 KB/SM.
    a100, h100 = get_gpu("a100-80gb-sxm"), get_gpu("h100-sxm")
    assert a100.register_file_bytes == 27648 * 1024
    assert a100.l2_bytes == 40960 * 1024
    assert a100.shared_mem_bytes_per_sm == 164 * 1024
    assert h100.register_file_bytes == 33792 * 1024
    assert h100.l2_bytes == 50 * 1024 * 1024
    assert h100.shared_mem_bytes_per_sm == 228 * 1024


def test_on_chip_memory_is_tiny_next_to_hbm():
    for g in GPUS.values():
        sram = g.register_file_bytes + g.sm_count * g.l1_shared_bytes_per_sm + g.l2_bytes + g.llc_bytes
        assert sram < g.hbm_bytes / 100
        assert g.shared_mem_bytes_per_sm <= g.l1_shared_bytes_per_sm


@pytest.mark.parametrize("name,bidirectional_gb_s", [
    # NVIDIA NVLink page: per-GPU bandwidth by generation (both directions).
    ("nvlink-1", 160), ("nvlink-2", 300), ("nvlink-3", 600), ("nvlink-4", 900), ("nvlink-5", 1800),
    # PCI-SIG: x16 is about 32, 64, 128, 256 GB/s both directions for 3.0, 4.0, 5.0, 6.0.
    ("pcie-gen3-x16", 32), ("pcie-gen4-x16", 64), ("pcie-gen5-x16", 128), ("pcie-gen6-x16", 256),
    # AMD MI300X: 7 Infinity Fabric links x 128 GB/s = 896 GB/s.
    ("infinity-fabric-mi300x", 896),
])
def test_link_bandwidth_as_vendors_quote_it(name, bidirectional_gb_s):
    link = get_interconnect(name)
    assert link.bidirectional_bytes_per_s / 1e9 == pytest.approx(bidirectional_gb_s, rel=0.02)


def test_nvlink5_is_over_14x_pcie_gen5():
    # NVIDIA: fifth-generation NVLink is "over 14X the bandwidth of PCIe Gen5".
    ratio = get_interconnect("nvlink-5").bytes_per_s / get_interconnect("pcie-gen5-x16").bytes_per_s
    assert 14 < ratio < 15


@pytest.mark.parametrize("name,gbit", [("ib-hdr", 200), ("ib-ndr", 400), ("ib-xdr", 800), ("roce-400g", 400)])
def test_network_ports_are_their_line_rate_in_bytes(name, gbit):
    assert get_interconnect(name).bytes_per_s * 8 == gbit * 1e9


def test_gpus_point_at_their_scale_up_link():
    for g in GPUS.values():
        assert g.scale_up_bytes_per_s == get_interconnect(g.scale_up).bytes_per_s
        get_interconnect(g.host_link)
    assert get_gpu("h100-sxm").scale_up_bidirectional_bytes_per_s == 900e9


def test_peak_flops_accepts_format_names_and_rejects_missing_rates():
    h100 = get_gpu("h100-sxm")
    assert h100.peak_flops("fp8_e4m3") == h100.peak_flops("fp8_e5m2") == h100.flops["fp8"]
    assert get_gpu("b200").peak_flops("nvfp4") == get_gpu("b200").flops["fp4"]
    with pytest.raises(ValueError, match=r"dtype must be one of .* on a100-80gb-sxm"):
        get_gpu("a100-80gb-sxm").peak_flops("fp8")


@pytest.mark.parametrize("bad", ["h100", "", None])
def test_unknown_names_raise(bad):
    with pytest.raises(ValueError, match=r"gpu must be one of .*h100-sxm"):
        get_gpu(bad)
    with pytest.raises(ValueError, match=r"interconnect must be one of .*nvlink-4"):
        get_interconnect(bad)


def test_entries_pass_through():
    assert get_gpu(GPUS["b200"]) is GPUS["b200"]
    assert get_interconnect(INTERCONNECTS["ib-ndr"]) is INTERCONNECTS["ib-ndr"]
