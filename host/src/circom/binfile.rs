//! The iden3 binary container shared by `.zkey`, `.wtns` and `.r1cs`: a 4-byte magic, a
//! u32 version, a u32 section count, then sections of (u32 id, u64 size, bytes), all
//! little-endian. Only bounds-checked reads; every failure is a [`FormatError`].

use super::{FileKind, FormatError};

/// A parsed container over borrowed bytes.
pub(crate) struct BinFile<'a> {
    kind: FileKind,
    bytes: &'a [u8],
    sections: Vec<(u32, usize, usize)>,
}

impl<'a> BinFile<'a> {
    /// Checks the magic, the version (one of `versions`) and the section table.
    pub fn parse(
        kind: FileKind,
        magic: &[u8; 4],
        versions: &[u32],
        bytes: &'a [u8],
    ) -> Result<BinFile<'a>, FormatError> {
        let mut r = Reader {
            kind,
            section: None,
            data: bytes,
            base: 0,
            pos: 0,
        };
        if r.bytes(4)? != magic {
            return Err(r.error_at(
                0,
                format!(
                    "not a .{} file (magic bytes are not \"{}\")",
                    kind,
                    String::from_utf8_lossy(magic)
                ),
            ));
        }
        let version = r.u32()?;
        if !versions.contains(&version) {
            return Err(r.error_at(
                4,
                format!("version {version} is not supported ({versions:?})"),
            ));
        }
        let count = r.u32()?;
        let mut sections = Vec::new();
        for _ in 0..count {
            let at = r.pos;
            let id = r.u32()?;
            let size = r.u64()?;
            let start = r.pos;
            let len = usize::try_from(size)
                .ok()
                .filter(|&l| l <= bytes.len() - start)
                .ok_or_else(|| {
                    r.error_at(
                        at,
                        format!(
                            "section {id} claims {size} bytes but only {} remain: the file is truncated",
                            bytes.len() - start
                        ),
                    )
                })?;
            r.pos += len;
            sections.push((id, start, len));
        }
        Ok(BinFile {
            kind,
            bytes,
            sections,
        })
    }

    /// The one section `id` (missing or duplicated sections are errors).
    pub fn section(&self, id: u32) -> Result<Reader<'a>, FormatError> {
        let mut found = self.sections.iter().filter(|s| s.0 == id);
        let missing = || FormatError {
            file: self.kind,
            section: Some(id),
            offset: self.bytes.len() as u64,
            problem: "the section is missing".into(),
        };
        let &(_, start, len) = found.next().ok_or_else(missing)?;
        if found.next().is_some() {
            return Err(FormatError {
                file: self.kind,
                section: Some(id),
                offset: start as u64,
                problem: "the section appears twice".into(),
            });
        }
        Ok(Reader {
            kind: self.kind,
            section: Some(id),
            data: &self.bytes[start..start + len],
            base: start,
            pos: 0,
        })
    }
}

/// A bounds-checked cursor over one section.
pub(crate) struct Reader<'a> {
    kind: FileKind,
    section: Option<u32>,
    data: &'a [u8],
    base: usize,
    pos: usize,
}

impl<'a> Reader<'a> {
    /// The next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| {
                self.error(format!(
                    "{n} more bytes expected, {} remain: truncated section",
                    self.data.len() - self.pos
                ))
            })?;
        let out = &self.data[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// A little-endian u32.
    pub fn u32(&mut self) -> Result<u32, FormatError> {
        Ok(u32::from_le_bytes(self.bytes(4)?.try_into().unwrap()))
    }

    /// A little-endian u64.
    pub fn u64(&mut self) -> Result<u64, FormatError> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into().unwrap()))
    }

    /// Absolute file offset of the cursor.
    pub fn offset(&self) -> u64 {
        (self.base + self.pos) as u64
    }

    /// The rest of the section, which must hold exactly `count` records of `size` bytes.
    pub fn records(&mut self, count: usize, size: usize) -> Result<&'a [u8], FormatError> {
        let want = count.checked_mul(size);
        let have = self.data.len() - self.pos;
        if want != Some(have) {
            return Err(self.error(format!(
                "{have} bytes hold {count} records of {size} bytes ({} expected)",
                want.map_or("an impossible size".to_string(), |w| w.to_string())
            )));
        }
        self.bytes(have)
    }

    /// Errors unless the section is fully read.
    pub fn expect_end(&self) -> Result<(), FormatError> {
        if self.pos != self.data.len() {
            return Err(self.error(format!(
                "{} unexpected bytes at the end of the section",
                self.data.len() - self.pos
            )));
        }
        Ok(())
    }

    /// An error at the cursor.
    pub fn error(&self, problem: String) -> FormatError {
        self.error_at(self.base + self.pos, problem)
    }

    /// An error at an absolute file offset.
    pub fn error_at(&self, offset: usize, problem: String) -> FormatError {
        FormatError {
            file: self.kind,
            section: self.section,
            offset: offset as u64,
            problem,
        }
    }
}
