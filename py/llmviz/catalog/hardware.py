"""Accelerators and the links between them, as their datasheets state them.

Units are SI: FLOP/s, bytes, bytes/second, watts. Two conventions matter:

* Throughput is **dense** (no 2:4 structured sparsity). NVIDIA's datasheets
  print the with-sparsity figure and footnote it; the dense figure is half.
* Link bandwidth is stored **per direction** (``*_bytes_per_s``). Vendors
  usually quote the sum of both directions ("900 GB/s NVLink"); the
  ``bidirectional_bytes_per_s`` properties give that number back.

Capacities follow the datasheets: HBM in decimal gigabytes (``80 GB`` →
``80e9`` bytes), on-chip SRAM in binary kibibytes as the architecture guides
mean them (a 256 KB register file holds 65,536 32-bit registers = 262,144
bytes).
"""
from __future__ import annotations

from dataclasses import dataclass, field

KiB = 1024
MiB = 1024 ** 2

# ---------------------------------------------------------------- sources
A100_DATASHEET = ("NVIDIA A100 Tensor Core GPU datasheet (80GB SXM), "
                  "https://www.nvidia.com/content/dam/en-zz/Solutions/Data-Center/a100/pdf/"
                  "nvidia-a100-datasheet-us-nvidia-1758950-r4-web.pdf")
AMPERE_WP = ("NVIDIA A100 Tensor Core GPU Architecture whitepaper (2020), Table 3, "
             "https://images.nvidia.com/aem-dam/en-zz/Solutions/data-center/nvidia-ampere-architecture-whitepaper.pdf")
H100_DATASHEET = ("NVIDIA H100 Tensor Core GPU datasheet (H100 SXM), "
                  "https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet")
HOPPER_WP = ("NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022), Table 3 (H100 SXM5: "
             "989.4 dense BF16/FP16 TFLOPS, 1,978.9 dense FP8), https://resources.nvidia.com/en-us-tensor-core")
HOPPER_TUNING = ("NVIDIA Hopper Tuning Guide, sections 1.4.1 and 1.4.2, "
                 "https://docs.nvidia.com/cuda/hopper-tuning-guide/")
H200_DATASHEET = ("NVIDIA H200 Tensor Core GPU datasheet (H200 SXM: 141 GB HBM3e, 4.8 TB/s), "
                  "https://www.nvidia.com/en-us/data-center/h200/")
HGX_B200 = ("NVIDIA HGX B200 specifications (8 GPUs: FP4 144 / FP8 72 / BF16 36 PFLOPS with "
            "sparsity, 1.44 TB HBM3e, NVLink 5 1.8 TB/s per GPU), https://www.nvidia.com/en-us/data-center/hgx/; "
            "NVIDIA DGX B200 datasheet (64 TB/s HBM3e for 8 GPUs), https://www.nvidia.com/en-us/data-center/dgx-b200/; "
            "MLPerf Inference system description NVIDIA B200-SXM-180GB, TGP 1000 W, "
            "https://github.com/mlcommons/inference_results_v6.0")
BLACKWELL_SRAM = ("NVIDIA Blackwell Tuning Guide, https://docs.nvidia.com/cuda/blackwell-tuning-guide/; "
                  "Chips and Cheese, Nvidia's B200: Keeping the CUDA Juggernaut Rolling (148 SMs, 256 KB "
                  "L1/shared per SM, 126 MB L2), https://chipsandcheese.com/p/nvidias-b200-keeping-the-cuda-juggernaut")
MI300X_DATASHEET = ("AMD Instinct MI300X data sheet (1,307.4 TFLOPS BF16 dense, 2,614.9 FP8 dense, "
                    "192 GB HBM3, 5.3 TB/s, 7 Infinity Fabric links at 128 GB/s, 750 W), "
                    "https://www.amd.com/content/dam/amd/en/documents/instinct-tech-docs/data-sheets/"
                    "amd-instinct-mi300x-data-sheet.pdf")
ROCM_SPECS = ("ROCm documentation, AMD GPU specifications (MI300X: 304 CUs, 64 KiB LDS, 32 KiB L1, "
              "512 KiB VGPR file per CU, 4 MiB L2 per XCD, 256 MiB Infinity Cache), "
              "https://rocm.docs.amd.com/en/latest/reference/gpu-specs.html")
PCI_SIG = ("PCI-SIG, PCI Express Base Specification Revisions 3.0-6.0 (8, 16, 32, 64 GT/s per lane; "
           "128b/130b encoding through 5.0, PAM4 FLIT mode in 6.0), https://pcisig.com/specifications")
NVLINK_PAGE = ("NVIDIA NVLink and NVSwitch (per-GPU bandwidth by generation: 160, 300, 600, 900, 1,800 GB/s "
               "both directions), https://www.nvidia.com/en-us/data-center/nvlink/")
IBTA = ("InfiniBand Trade Association, InfiniBand Roadmap (4x port data rates EDR 100, HDR 200, NDR 400, "
        "XDR 800 Gb/s), https://www.infinibandta.org/infiniband-roadmap/")
ROCE = ("IEEE 802.3 Ethernet (802.3ba/bs/df: 100, 200, 400, 800 Gb/s) carrying RDMA over Converged "
        "Ethernet v2 (InfiniBand Architecture Specification, Annex A17 RoCEv2), https://www.infinibandta.org/ibta-specification/")


@dataclass(frozen=True)
class Interconnect:
    """A link type. ``bytes_per_s`` is the data rate in **one direction** for the
    unit named in ``scope`` (an x16 slot, all NVLinks of one GPU, one NIC port)."""

    name: str
    label: str
    kind: str              # "pcie", "nvlink", "infinity-fabric", "infiniband", "ethernet"
    bytes_per_s: float     # per direction
    scope: str
    links: int             # lanes (PCIe) or links (NVLink, Infinity Fabric) or ports (NICs) behind the figure
    release: str
    source: str

    @property
    def bidirectional_bytes_per_s(self) -> float:
        """Both directions added, the way vendors usually quote a link."""
        return 2 * self.bytes_per_s


def _pcie(gen: int, gt_per_s: float, efficiency: float, year: str) -> Interconnect:
    lanes = 16
    return Interconnect(
        name=f"pcie-gen{gen}-x16", label=f"PCIe {gen}.0 x16", kind="pcie",
        bytes_per_s=gt_per_s * 1e9 * lanes * efficiency / 8, scope="one x16 slot",
        links=lanes, release=year, source=PCI_SIG)


def _net(name: str, label: str, kind: str, gbit: float, year: str, source: str) -> Interconnect:
    return Interconnect(name=name, label=label, kind=kind, bytes_per_s=gbit * 1e9 / 8,
                        scope="one NIC port", links=1, release=year, source=source)


INTERCONNECTS: dict[str, Interconnect] = {i.name: i for i in (
    _pcie(3, 8.0, 128 / 130, "2010"),
    _pcie(4, 16.0, 128 / 130, "2017"),
    _pcie(5, 32.0, 128 / 130, "2019"),
    # 6.0 drops line encoding (PAM4 with FLITs); FLIT and TLP overheads are protocol costs, not counted.
    _pcie(6, 64.0, 1.0, "2022"),
    Interconnect("nvlink-1", "NVLink 1 (P100)", "nvlink", 4 * 20e9, "per GPU, all links", 4, "2016", NVLINK_PAGE),
    Interconnect("nvlink-2", "NVLink 2 (V100)", "nvlink", 6 * 25e9, "per GPU, all links", 6, "2017", NVLINK_PAGE),
    Interconnect("nvlink-3", "NVLink 3 (A100)", "nvlink", 12 * 25e9, "per GPU, all links", 12, "2020", NVLINK_PAGE),
    Interconnect("nvlink-4", "NVLink 4 (H100)", "nvlink", 18 * 25e9, "per GPU, all links", 18, "2022", NVLINK_PAGE),
    Interconnect("nvlink-5", "NVLink 5 (B200)", "nvlink", 18 * 50e9, "per GPU, all links", 18, "2024", NVLINK_PAGE),
    # Point-to-point mesh: each of the 7 links reaches one peer at 64 GB/s per direction.
    Interconnect("infinity-fabric-mi300x", "Infinity Fabric (MI300X)", "infinity-fabric", 7 * 64e9,
                 "per GPU, all links", 7, "2023", MI300X_DATASHEET),
    _net("ib-edr", "InfiniBand EDR", "infiniband", 100, "2014", IBTA),
    _net("ib-hdr", "InfiniBand HDR", "infiniband", 200, "2018", IBTA),
    _net("ib-ndr", "InfiniBand NDR", "infiniband", 400, "2021", IBTA),
    _net("ib-xdr", "InfiniBand XDR", "infiniband", 800, "2024", IBTA),
    _net("roce-100g", "RoCE 100 GbE", "ethernet", 100, "2010", ROCE),
    _net("roce-200g", "RoCE 200 GbE", "ethernet", 200, "2017", ROCE),
    _net("roce-400g", "RoCE 400 GbE", "ethernet", 400, "2017", ROCE),
    _net("roce-800g", "RoCE 800 GbE", "ethernet", 800, "2024", ROCE),
)}


@dataclass(frozen=True)
class GPU:
    """One accelerator SKU.

    ``flops`` maps a throughput class (``"fp32"``, ``"tf32"``, ``"bf16"``,
    ``"fp16"``, ``"fp8"``, ``"int8"``, ``"int4"``, ``"fp4"``) to dense peak
    FLOP/s (OP/s for integers); ``fp32`` is the non-tensor vector rate.
    On-chip memory: ``register_file_bytes_per_sm``, ``shared_mem_bytes_per_sm``
    (the most a kernel can configure as shared memory / LDS),
    ``l1_shared_bytes_per_sm`` (the whole L1-plus-shared pool; on AMD the LDS
    plus the L1 vector cache), ``l2_bytes`` and ``llc_bytes`` (a last-level
    cache beyond L2, AMD's Infinity Cache; 0 if none). ``sm_count`` counts
    SMs, or compute units on AMD. ``scale_up`` names the GPU-to-GPU link and
    ``scale_up_bytes_per_s`` is its per-direction bandwidth for the whole GPU.
    """

    name: str
    label: str
    vendor: str
    architecture: str
    release: str
    flops: dict = field(hash=False)
    hbm_bytes: float
    hbm_bytes_per_s: float
    hbm_type: str
    sm_count: int
    register_file_bytes_per_sm: int
    shared_mem_bytes_per_sm: int
    l1_shared_bytes_per_sm: int
    l2_bytes: int
    llc_bytes: int
    scale_up: str
    scale_up_bytes_per_s: float
    host_link: str
    tdp_w: float
    source: str

    @property
    def scale_up_bidirectional_bytes_per_s(self) -> float:
        """The scale-up bandwidth as vendors quote it: both directions added."""
        return 2 * self.scale_up_bytes_per_s

    @property
    def register_file_bytes(self) -> int:
        """Register file summed over all SMs (bytes)."""
        return self.sm_count * self.register_file_bytes_per_sm

    def peak_flops(self, dtype: str = "bf16") -> float:
        """Dense peak FLOP/s for ``dtype`` (a throughput class or a format name such as ``fp8_e4m3``)."""
        key = _THROUGHPUT_CLASS.get(dtype, dtype)
        if key not in self.flops:
            raise ValueError(f"dtype must be one of {', '.join(self.flops)} on {self.name}; got {dtype!r}")
        return self.flops[key]


# Format names (catalog.formats) that share a tensor-core rate with a throughput class.
_THROUGHPUT_CLASS = {"fp8_e4m3": "fp8", "fp8_e5m2": "fp8", "mxfp4": "fp4", "nvfp4": "fp4"}

T = 1e12
GPUS: dict[str, GPU] = {g.name: g for g in (
    GPU("a100-80gb-sxm", "A100 80GB SXM", "NVIDIA", "Ampere", "2020-11",
        flops={"fp32": 19.5 * T, "tf32": 156 * T, "bf16": 312 * T, "fp16": 312 * T,
               "int8": 624 * T, "int4": 1248 * T},
        hbm_bytes=80e9, hbm_bytes_per_s=2039e9, hbm_type="HBM2e",
        sm_count=108, register_file_bytes_per_sm=256 * KiB, shared_mem_bytes_per_sm=164 * KiB,
        l1_shared_bytes_per_sm=192 * KiB, l2_bytes=40 * MiB, llc_bytes=0,
        scale_up="nvlink-3", scale_up_bytes_per_s=300e9, host_link="pcie-gen4-x16", tdp_w=400,
        source=f"{A100_DATASHEET}; {AMPERE_WP}"),
    GPU("h100-sxm", "H100 SXM", "NVIDIA", "Hopper", "2022",
        flops={"fp32": 66.9 * T, "tf32": 494.7 * T, "bf16": 989.4 * T, "fp16": 989.4 * T,
               "fp8": 1978.9 * T, "int8": 1978.9 * T},
        hbm_bytes=80e9, hbm_bytes_per_s=3.35e12, hbm_type="HBM3",
        sm_count=132, register_file_bytes_per_sm=256 * KiB, shared_mem_bytes_per_sm=228 * KiB,
        l1_shared_bytes_per_sm=256 * KiB, l2_bytes=50 * MiB, llc_bytes=0,
        scale_up="nvlink-4", scale_up_bytes_per_s=450e9, host_link="pcie-gen5-x16", tdp_w=700,
        source=f"{H100_DATASHEET}; {HOPPER_WP}; {HOPPER_TUNING}"),
    # Same GH100 die and clocks as H100 SXM; only the memory changed.
    GPU("h200-sxm", "H200 SXM", "NVIDIA", "Hopper", "2024",
        flops={"fp32": 66.9 * T, "tf32": 494.7 * T, "bf16": 989.4 * T, "fp16": 989.4 * T,
               "fp8": 1978.9 * T, "int8": 1978.9 * T},
        hbm_bytes=141e9, hbm_bytes_per_s=4.8e12, hbm_type="HBM3e",
        sm_count=132, register_file_bytes_per_sm=256 * KiB, shared_mem_bytes_per_sm=228 * KiB,
        l1_shared_bytes_per_sm=256 * KiB, l2_bytes=50 * MiB, llc_bytes=0,
        scale_up="nvlink-4", scale_up_bytes_per_s=450e9, host_link="pcie-gen5-x16", tdp_w=700,
        source=f"{H200_DATASHEET}; {HOPPER_WP}; {HOPPER_TUNING}"),
    # The HGX B200 SKU (B200-SXM-180GB, 1000 W): per-GPU dense figures are the
    # 8-GPU with-sparsity totals divided by 8 and by 2. GB200 parts run faster.
    GPU("b200", "B200 (HGX, 180 GB)", "NVIDIA", "Blackwell", "2024",
        flops={"fp32": 75 * T, "tf32": 1125 * T, "bf16": 2250 * T, "fp16": 2250 * T,
               "fp8": 4500 * T, "int8": 4500 * T, "fp4": 9000 * T},
        hbm_bytes=180e9, hbm_bytes_per_s=8e12, hbm_type="HBM3e",
        sm_count=148, register_file_bytes_per_sm=256 * KiB, shared_mem_bytes_per_sm=228 * KiB,
        l1_shared_bytes_per_sm=256 * KiB, l2_bytes=126 * MiB, llc_bytes=0,
        scale_up="nvlink-5", scale_up_bytes_per_s=900e9, host_link="pcie-gen5-x16", tdp_w=1000,
        source=f"{HGX_B200}; {BLACKWELL_SRAM}"),
    # MI300X's FP8 is the FNUZ variant of E4M3 (no negative zero, largest value 240), not OCP E4M3.
    GPU("mi300x", "MI300X", "AMD", "CDNA 3", "2023-12",
        flops={"fp32": 163.4 * T, "tf32": 653.7 * T, "bf16": 1307.4 * T, "fp16": 1307.4 * T,
               "fp8": 2614.9 * T, "int8": 2614.9 * T},
        hbm_bytes=192e9, hbm_bytes_per_s=5.3e12, hbm_type="HBM3",
        sm_count=304, register_file_bytes_per_sm=512 * KiB, shared_mem_bytes_per_sm=64 * KiB,
        l1_shared_bytes_per_sm=(64 + 32) * KiB, l2_bytes=32 * MiB, llc_bytes=256 * MiB,
        scale_up="infinity-fabric-mi300x", scale_up_bytes_per_s=448e9, host_link="pcie-gen5-x16", tdp_w=750,
        source=f"{MI300X_DATASHEET}; {ROCM_SPECS}"),
)}


def get_gpu(name_or_entry: str | GPU) -> GPU:
    """The GPU named ``name_or_entry``, or the entry itself."""
    if isinstance(name_or_entry, GPU):
        return name_or_entry
    if not isinstance(name_or_entry, str) or name_or_entry not in GPUS:
        raise ValueError(f"gpu must be one of {', '.join(GPUS)}; got {name_or_entry!r}")
    return GPUS[name_or_entry]


def get_interconnect(name_or_entry: str | Interconnect) -> Interconnect:
    """The interconnect named ``name_or_entry``, or the entry itself."""
    if isinstance(name_or_entry, Interconnect):
        return name_or_entry
    if not isinstance(name_or_entry, str) or name_or_entry not in INTERCONNECTS:
        raise ValueError(f"interconnect must be one of {', '.join(INTERCONNECTS)}; got {name_or_entry!r}")
    return INTERCONNECTS[name_or_entry]
