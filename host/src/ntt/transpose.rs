//! Matrix transposition: the only host work of a four-step NTT. Cache-blocked (tiles of
//! `TILE`×`TILE` elements) and parallel over bands of output rows.

use rayon::prelude::*;

/// Tile edge: 32 elements of 32 bytes = 1 KiB per tile row, a tile fits L1 twice over.
const TILE: usize = 32;

/// `dst[b]` = transpose of `src[b]` for each of `batch` row-major `rows`×`cols` matrices
/// stored back to back (`dst[b]` is `cols`×`rows`).
pub fn transpose_batch<T: Copy + Send + Sync>(
    src: &[T],
    dst: &mut [T],
    batch: usize,
    rows: usize,
    cols: usize,
) {
    let size = rows * cols;
    assert_eq!(src.len(), batch * size);
    assert_eq!(dst.len(), batch * size);
    if size == 0 {
        return;
    }
    // Bands of TILE output rows (= TILE source columns), every matrix's bands in parallel.
    dst.par_chunks_mut(size)
        .zip(src.par_chunks(size))
        .for_each(|(dst, src)| {
            dst.par_chunks_mut(TILE * rows)
                .enumerate()
                .for_each(|(band_index, band)| {
                    let c0 = band_index * TILE;
                    let band_rows = band.len() / rows;
                    for r0 in (0..rows).step_by(TILE) {
                        for c in 0..band_rows {
                            let out = &mut band[c * rows..(c + 1) * rows];
                            for (r, slot) in out.iter_mut().enumerate().skip(r0).take(TILE) {
                                *slot = src[r * cols + c0 + c];
                            }
                        }
                    }
                });
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transposes_every_shape() {
        for (batch, rows, cols) in [
            (1, 1, 1),
            (1, 4, 256),
            (3, 64, 4),
            (2, 33, 70),
            (1, 256, 256),
        ] {
            let src: Vec<u32> = (0..(batch * rows * cols) as u32).collect();
            let mut dst = vec![0; src.len()];
            transpose_batch(&src, &mut dst, batch, rows, cols);
            for b in 0..batch {
                for r in 0..rows {
                    for c in 0..cols {
                        let s = src[b * rows * cols + r * cols + c];
                        assert_eq!(
                            dst[b * rows * cols + c * rows + r],
                            s,
                            "{batch} {rows}×{cols}"
                        );
                    }
                }
            }
            let mut back = vec![0; src.len()];
            transpose_batch(&dst, &mut back, batch, cols, rows);
            assert_eq!(back, src);
        }
    }
}
