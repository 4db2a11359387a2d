//! Real cards through VFIO (`vfio-ioctls`, default features off): open the PCI function
//! bound to `vfio-pci`, access its BARs through the VFIO region interface, and map DMA
//! memory through the IOMMU container.
//!
//! The logic (address parsing, preflight checks with actionable messages, BAR bounds, IOVA
//! allocation, map/unmap pairing) is written against [`VfioBackend`], which the real
//! device implements and the tests mock.

use super::{DmaBacking, DmaBuffer, PcieError, PcieFunction};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What the VFIO function needs from the kernel interface.
pub trait VfioBackend: Send + Sync {
    /// Size of VFIO region `index` (a BAR).
    fn region_size(&self, index: u32) -> u64;
    /// Reads from a region.
    fn region_read(&self, index: u32, buf: &mut [u8], addr: u64);
    /// Writes to a region.
    fn region_write(&self, index: u32, buf: &[u8], addr: u64);
    /// Maps host memory for the device at `iova`.
    fn dma_map(&self, iova: u64, size: u64, user_addr: u64) -> Result<(), String>;
    /// Unmaps it.
    fn dma_unmap(&self, iova: u64, size: u64) -> Result<(), String>;
}

/// A PCI address `DDDD:BB:DD.F`.
pub fn parse_pci_address(s: &str) -> Result<String, PcieError> {
    let ok = s.len() == 12
        && s.as_bytes()[4] == b':'
        && s.as_bytes()[7] == b':'
        && s.as_bytes()[10] == b'.'
        && s.bytes()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10) || c.is_ascii_hexdigit());
    if ok {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(PcieError::Unavailable(format!(
            "`{s}` is not a PCI address; expected DDDD:BB:DD.F as printed by `lspci -D` (e.g. vfio:0000:65:00.0)"
        )))
    }
}

/// Checks, in order, everything that must hold before VFIO can open a device, and says
/// what to do about the first thing that does not. `sysfs` is `/sys` (tests pass a fake).
pub fn preflight(sysfs: &Path, dev: &Path, address: &str) -> Result<PathBuf, PcieError> {
    let device = sysfs.join("bus/pci/devices").join(address);
    let fail = |m: String| Err(PcieError::Unavailable(m));
    if !device.exists() {
        return fail(format!(
            "no PCI device {address}: check `lspci -D` for the card's address"
        ));
    }
    let driver = std::fs::read_link(device.join("driver"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    if driver.as_deref() != Some("vfio-pci") {
        return fail(format!(
            "{address} is bound to {} instead of vfio-pci: see docs/HARDWARE.md, \"Binding the card\" \
             (e.g. `echo vfio-pci > {p}/driver_override; echo {address} > /sys/bus/pci/drivers_probe`)",
            driver.map_or("no driver".to_string(), |d| format!("`{d}`")),
            p = device.display()
        ));
    }
    let group = std::fs::read_link(device.join("iommu_group"))
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()));
    let Some(group) = group else {
        return fail(format!(
            "{address} has no IOMMU group: enable the IOMMU (kernel parameter intel_iommu=on or amd_iommu=on) and reboot"
        ));
    };
    let node = dev.join("vfio").join(&group);
    if !node.exists() {
        return fail(format!(
            "{} does not exist: load the vfio-pci module (`modprobe vfio-pci`)",
            node.display()
        ));
    }
    if std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&node)
        .is_err()
    {
        return fail(format!(
            "no permission to open {}: run as root or grant your user access (udev rule, see docs/HARDWARE.md)",
            node.display()
        ));
    }
    Ok(device)
}

struct RealBackend {
    device: vfio_ioctls::VfioDevice,
    container: Arc<vfio_ioctls::VfioContainer>,
}

impl VfioBackend for RealBackend {
    fn region_size(&self, index: u32) -> u64 {
        self.device.get_region_size(index)
    }
    fn region_read(&self, index: u32, buf: &mut [u8], addr: u64) {
        self.device.region_read(index, buf, addr)
    }
    fn region_write(&self, index: u32, buf: &[u8], addr: u64) {
        self.device.region_write(index, buf, addr)
    }
    fn dma_map(&self, iova: u64, size: u64, user_addr: u64) -> Result<(), String> {
        self.container
            .vfio_dma_map(iova, size, user_addr)
            .map_err(|e| e.to_string())
    }
    fn dma_unmap(&self, iova: u64, size: u64) -> Result<(), String> {
        self.container
            .vfio_dma_unmap(iova, size)
            .map_err(|e| e.to_string())
    }
}

/// Anonymous memory mapped for the device; unmapped from the IOMMU and freed on drop.
struct MappedMemory {
    ptr: *mut u8,
    size: usize,
    iova: u64,
    backend: Arc<dyn VfioBackend>,
}

// The memory is owned by this value; access is through copies under the caller's &self.
unsafe impl Send for MappedMemory {}
unsafe impl Sync for MappedMemory {}

impl DmaBacking for MappedMemory {
    fn with_bytes(&self, f: &mut dyn FnMut(&mut [u8])) {
        // SAFETY: the mapping is `size` bytes and lives as long as self; the driver touches
        // it only between jobs under the card's lock (the device is not writing it), and
        // `&self` callers are serialised by that lock.
        f(unsafe { std::slice::from_raw_parts_mut(self.ptr, self.size) })
    }
}

impl Drop for MappedMemory {
    fn drop(&mut self) {
        let _ = self.backend.dma_unmap(self.iova, self.size as u64);
        // SAFETY: ptr/size came from mmap.
        unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.size) };
    }
}

/// A card opened through VFIO.
pub struct VfioFunction {
    address: String,
    backend: Arc<dyn VfioBackend>,
    next_iova: u64,
}

const PAGE: u64 = 4096;

impl VfioFunction {
    /// Opens `vfio:<address>`, checking the system first.
    pub fn open(address: &str) -> Result<VfioFunction, PcieError> {
        let address = parse_pci_address(address)?;
        let device = preflight(Path::new("/sys"), Path::new("/dev"), &address)?;
        let container = vfio_ioctls::VfioContainer::new(None)
            .map_err(|e| PcieError::Unavailable(format!("cannot open /dev/vfio/vfio: {e}")))?;
        let container = Arc::new(container);
        let device = vfio_ioctls::VfioDevice::new(&device, container.clone())
            .map_err(|e| PcieError::Unavailable(format!("VFIO cannot open {address}: {e}")))?;
        Ok(Self::with_backend(
            address,
            Arc::new(RealBackend { device, container }),
        ))
    }

    /// A function over any backend (the tests' mock).
    pub fn with_backend(address: String, backend: Arc<dyn VfioBackend>) -> Self {
        VfioFunction {
            address,
            backend,
            next_iova: 0x1_0000_0000,
        }
    }

    fn check(&self, bar: u8, offset: u64) -> Result<(), PcieError> {
        let size = self.backend.region_size(bar as u32);
        if !offset.is_multiple_of(4) || offset + 4 > size {
            return Err(PcieError::OutOfRange { bar, offset, size });
        }
        Ok(())
    }
}

impl PcieFunction for VfioFunction {
    fn describe(&self) -> String {
        format!("vfio:{}", self.address)
    }
    fn read32(&mut self, bar: u8, offset: u64) -> Result<u32, PcieError> {
        self.check(bar, offset)?;
        let mut b = [0u8; 4];
        self.backend.region_read(bar as u32, &mut b, offset);
        Ok(u32::from_le_bytes(b))
    }
    fn write32(&mut self, bar: u8, offset: u64, value: u32) -> Result<(), PcieError> {
        self.check(bar, offset)?;
        self.backend
            .region_write(bar as u32, &value.to_le_bytes(), offset);
        Ok(())
    }
    fn alloc_dma(&mut self, len: usize) -> Result<DmaBuffer, PcieError> {
        let size = (len as u64).div_ceil(PAGE).max(1) * PAGE;
        // SAFETY: anonymous private mapping, checked below.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size as usize,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(PcieError::Dma {
                len,
                reason: std::io::Error::last_os_error().to_string(),
            });
        }
        let iova = self.next_iova;
        if let Err(reason) = self.backend.dma_map(iova, size, ptr as u64) {
            // SAFETY: mapped above.
            unsafe { libc::munmap(ptr, size as usize) };
            return Err(PcieError::Dma { len, reason });
        }
        self.next_iova += size;
        let memory = MappedMemory {
            ptr: ptr as *mut u8,
            size: size as usize,
            iova,
            backend: self.backend.clone(),
        };
        Ok(DmaBuffer::new(iova, len, Box::new(memory)))
    }
    fn wait(&mut self, max: Duration) -> Result<(), PcieError> {
        // Polling: the driver re-reads STATUS after each wait.
        std::thread::sleep(max.min(Duration::from_micros(50)));
        Ok(())
    }
    fn wait_is_sleep(&self) -> bool {
        true
    }
    fn default_timeout(&self, elements: usize) -> Duration {
        Duration::from_secs(1) + Duration::from_nanos(100) * elements as u32
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

#[cfg(test)]
pub(crate) mod mock {
    use super::*;
    use std::sync::Mutex;

    /// BARs as plain memory and a record of DMA mappings.
    #[derive(Default)]
    pub struct MockBackend {
        pub regions: Vec<Mutex<Vec<u8>>>,
        pub maps: Mutex<Vec<(u64, u64)>>,
        pub unmaps: Mutex<Vec<(u64, u64)>>,
    }

    impl VfioBackend for MockBackend {
        fn region_size(&self, index: u32) -> u64 {
            self.regions
                .get(index as usize)
                .map_or(0, |r| r.lock().unwrap().len() as u64)
        }
        fn region_read(&self, index: u32, buf: &mut [u8], addr: u64) {
            let r = self.regions[index as usize].lock().unwrap();
            buf.copy_from_slice(&r[addr as usize..addr as usize + buf.len()]);
        }
        fn region_write(&self, index: u32, buf: &[u8], addr: u64) {
            let mut r = self.regions[index as usize].lock().unwrap();
            r[addr as usize..addr as usize + buf.len()].copy_from_slice(buf);
        }
        fn dma_map(&self, iova: u64, size: u64, _user_addr: u64) -> Result<(), String> {
            self.maps.lock().unwrap().push((iova, size));
            Ok(())
        }
        fn dma_unmap(&self, iova: u64, size: u64) -> Result<(), String> {
            self.unmaps.lock().unwrap().push((iova, size));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mock::MockBackend;
    use super::*;
    use std::sync::Mutex;

    fn function() -> (VfioFunction, Arc<MockBackend>) {
        let backend = Arc::new(MockBackend {
            regions: vec![Mutex::new(vec![0; 0x1000]), Mutex::new(vec![0; 0x10000])],
            ..Default::default()
        });
        (
            VfioFunction::with_backend("0000:65:00.0".into(), backend.clone()),
            backend,
        )
    }

    #[test]
    fn bar_access_is_little_endian_and_bounded() {
        let (mut f, backend) = function();
        f.write32(0, 0x10, 0xA1B2_C3D4).unwrap();
        assert_eq!(
            &backend.regions[0].lock().unwrap()[0x10..0x14],
            &[0xD4, 0xC3, 0xB2, 0xA1]
        );
        assert_eq!(f.read32(0, 0x10).unwrap(), 0xA1B2_C3D4);
        assert!(matches!(
            f.read32(0, 0x1000),
            Err(PcieError::OutOfRange { .. })
        ));
        assert!(matches!(
            f.read32(0, 0x2),
            Err(PcieError::OutOfRange { .. })
        ));
        assert!(matches!(
            f.write32(7, 0, 1),
            Err(PcieError::OutOfRange { .. })
        ));
    }

    #[test]
    fn dma_buffers_get_distinct_page_aligned_iovas_and_are_unmapped_on_drop() {
        let (mut f, backend) = function();
        let a = f.alloc_dma(100).unwrap();
        let b = f.alloc_dma(8192).unwrap();
        assert_eq!(a.iova() % PAGE, 0);
        assert!(b.iova() >= a.iova() + PAGE);
        a.write(10, &[1, 2, 3]);
        let mut out = [0u8; 3];
        a.read(10, &mut out);
        assert_eq!(out, [1, 2, 3]);
        assert_eq!(backend.maps.lock().unwrap().len(), 2);
        drop(a);
        drop(b);
        assert_eq!(
            *backend.unmaps.lock().unwrap(),
            *backend.maps.lock().unwrap()
        );
    }

    #[test]
    fn pci_addresses_are_validated() {
        assert!(parse_pci_address("0000:65:00.0").is_ok());
        for bad in ["65:00.0", "0000:65:00:0", "zzzz:65:00.0", ""] {
            let e = parse_pci_address(bad).unwrap_err().to_string();
            assert!(e.contains("lspci -D"), "{e}");
        }
    }

    #[test]
    fn preflight_says_what_to_do() {
        let root = std::env::temp_dir().join(format!("zkpipe-sysfs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (sys, dev) = (root.join("sys"), root.join("dev"));
        let addr = "0000:65:00.0";
        let e = preflight(&sys, &dev, addr).unwrap_err().to_string();
        assert!(e.contains("no PCI device"), "{e}");
        let device = sys.join("bus/pci/devices").join(addr);
        std::fs::create_dir_all(&device).unwrap();
        let e = preflight(&sys, &dev, addr).unwrap_err().to_string();
        assert!(
            e.contains("instead of vfio-pci") && e.contains("HARDWARE.md"),
            "{e}"
        );
        std::fs::create_dir_all(root.join("drivers/vfio-pci")).unwrap();
        std::os::unix::fs::symlink(root.join("drivers/vfio-pci"), device.join("driver")).unwrap();
        let e = preflight(&sys, &dev, addr).unwrap_err().to_string();
        assert!(e.contains("IOMMU"), "{e}");
        std::fs::create_dir_all(root.join("groups/42")).unwrap();
        std::os::unix::fs::symlink(root.join("groups/42"), device.join("iommu_group")).unwrap();
        let e = preflight(&sys, &dev, addr).unwrap_err().to_string();
        assert!(e.contains("modprobe vfio-pci"), "{e}");
        std::fs::create_dir_all(dev.join("vfio")).unwrap();
        std::fs::write(dev.join("vfio/42"), b"").unwrap();
        assert_eq!(preflight(&sys, &dev, addr).unwrap(), device);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
