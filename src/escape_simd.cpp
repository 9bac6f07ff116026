// SIMD escape-count kernels, compiled once per Highway target and chosen at run time.
//
// Exactness: every lane performs the oracle's operations in the oracle's order. The one fused
// operation, MulAdd(x*y, 2, cy), equals the oracle's (x*y + y*x) + cy bit for bit because
// doubling a double is exact (x*y == y*x, and round(p) + round(p) == 2 * round(p)). No other
// fusion is allowed: the build compiles this file with -ffp-contract=off.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "escape_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "escape_kernels.hpp"

HWY_BEFORE_NAMESPACE();
#if HWY_TARGET == HWY_AVX3_DL && HWY_ARCH_X86 && HWY_COMPILER_GCC_ACTUAL
// Highway 1.0's AVX3_DL target leaves out GFNI, which every CPU of that class has (Ice Lake,
// Sapphire Rapids, Zen 4) and later Highway versions include; the mask-history fold uses it.
// Dispatch (cpu_targets below) requires it of the CPU. HWY_AFTER_NAMESPACE pops this. Only
// GCC is given this pragma and the inline assembly below; other compilers build the AVX3_DL
// target with the blend loop.
#pragma GCC target("gfni")
#endif
namespace juliaset::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Upper bound on lanes of `Real` for every target (HWY_MAX_BYTES is the widest vector).
template <class Real>
constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(Real);

// active & !(norm > limit): the lanes still inside after this step. NaN norms (overflowed
// orbits) are "not greater", as in the oracle. AVX-512 does this in one masked compare.
template <class D, class V = hn::Vec<D>>
HWY_INLINE hn::Mask<D> StillInside(D d, hn::Mask<D> active, V norm, V limit) {
#if HWY_TARGET <= HWY_AVX3 && HWY_ARCH_X86
    if constexpr (hn::MaxLanes(d) * sizeof(hn::TFromD<D>) == 64) {
        if constexpr (sizeof(hn::TFromD<D>) == 8) {
            return hn::Mask<D>{_mm512_mask_cmp_pd_mask(active.raw, norm.raw, limit.raw, _CMP_NGT_UQ)};
        } else {
            return hn::Mask<D>{_mm512_mask_cmp_ps_mask(active.raw, norm.raw, limit.raw, _CMP_NGT_UQ)};
        }
    }
#endif
    (void)d;
    return hn::AndNot(hn::Gt(norm, limit), active);
}

// Rows of a tile iterated together: four independent dependency chains keep both FP pipes
// busy. Measured on the headline image, a lanes x 4 tile in lock-step beats strips of one row
// refilled one by one: strips waste fewer lane-steps (91 % useful against 86 %), but a branch
// miss and a refill every few steps cost more than that saves (docs/design.md).
constexpr std::size_t kTileRows = 4;

// The orbits of a tile's rows: z, its squared parts (shared by the next step and the norm)
// and c, per row. kMandelbrot: z0 = 0 and c = the pixel's point (per lane) instead of
// z0 = the point and c fixed.
template <class D, bool kMandelbrot, class Real = hn::TFromD<D>>
struct TileOrbits {
    using V = hn::Vec<D>;
    V re[kTileRows], im[kTileRows], re2[kTileRows], im2[kTileRows];
    V c_re[kTileRows], c_im[kTileRows];
    V two;

    HWY_INLINE TileOrbits(D d, const Real* HWY_RESTRICT xs, const Real* row_ys,
                          const KernelTask<Real>& task)
        : two(hn::Set(d, Real{2})) {
        const V x0 = hn::LoadU(d, xs);
        for (std::size_t r = 0; r < kTileRows; ++r) {
            if constexpr (kMandelbrot) {
                c_re[r] = x0;
                c_im[r] = hn::Set(d, row_ys[r]);
                re[r] = im[r] = hn::Zero(d);
            } else {
                c_re[r] = hn::Set(d, task.c_re);
                c_im[r] = hn::Set(d, task.c_im);
                re[r] = x0;
                im[r] = hn::Set(d, row_ys[r]);
            }
            re2[r] = hn::Mul(re[r], re[r]);
            im2[r] = hn::Mul(im[r], im[r]);
        }
    }

    // One step of row r, the oracle's operations in its order; returns |z|^2 after it.
    HWY_INLINE V Step(std::size_t r) {
        const V cross = hn::Mul(re[r], im[r]);
        re[r] = hn::Add(hn::Sub(re2[r], im2[r]), c_re[r]);
        im[r] = hn::MulAdd(cross, two, c_im[r]);
        re2[r] = hn::Mul(re[r], re[r]);
        im2[r] = hn::Mul(im[r], im[r]);
        return hn::Add(re2[r], im2[r]);
    }
};

// Counts are kept as floating-point lanes (exact up to 2^24 in float, 2^53 in double; the
// entry point limits itermax accordingly) so that no conversion sits in the loop.
// kMandelbrot: z0 = 0 and c = the pixel's point (per lane) instead of z0 = the point, c fixed.
// kPollCancel: poll the cancel flag between blocks of steps (only worth it for huge itermax).
template <bool kMandelbrot, bool kPollCancel, class D, class Real = hn::TFromD<D>>
HWY_INLINE void EscapeTile(D d, const Real* HWY_RESTRICT xs, const Real* row_ys,
                           const KernelTask<Real>& task, Real* HWY_RESTRICT counts) {
    using V = hn::Vec<D>;
    const V limit = hn::Set(d, task.threshold_squared);
    const V one = hn::Set(d, Real{1});
    // Lanes still inside after step i take count i + 1: one masked move per row and step.
    V survived = hn::Zero(d);
    TileOrbits<D, kMandelbrot> orbits(d, xs, row_ys, task);
    V k[kTileRows];
    hn::Mask<D> active[kTileRows];
    for (std::size_t r = 0; r < kTileRows; ++r) {
        k[r] = hn::Zero(d);
        active[r] = hn::FirstN(d, hn::Lanes(d));
    }
    // One step of every row.
    const auto step = [&] {
        survived = hn::Add(survived, one);
        for (std::size_t r = 0; r < kTileRows; ++r) {
            active[r] = StillInside(d, active[r], orbits.Step(r), limit);
            k[r] = hn::IfThenElse(active[r], survived, k[r]);
        }
    };
    // Steps [first, stop) of every row; true once every lane of the tile has escaped. The exit
    // test runs after every second step: a finished lane's count is frozen by its mask, so an
    // extra step changes nothing, and the test costs about as much as a row's arithmetic
    // (measured 3-5 % faster on one thread than testing after every step).
    const auto run_steps = [&](std::uint32_t first, std::uint32_t stop) {
        std::uint32_t i = first;
        for (; stop - i >= 2; i += 2) {  // not i + 2 <= stop, which wraps at 2^32 - 1
            step();
            step();
            if (hn::AllFalse(d, hn::Or(hn::Or(active[0], active[1]), hn::Or(active[2], active[3])))) {
                return true;
            }
        }
        if (i < stop) step();
        return false;
    };
    if constexpr (kPollCancel) {
        // Blocks of steps between polls of the cancel flag, for itermax in the billions.
        for (std::uint64_t block = 0; block < task.itermax; block += cancel_poll_interval) {
            if (block != 0 && task.cancelled()) return;  // counts incomplete; caller stops too
            const auto stop = static_cast<std::uint32_t>(
                std::min<std::uint64_t>(task.itermax, block + cancel_poll_interval));
            if (run_steps(static_cast<std::uint32_t>(block), stop)) break;
        }
    } else {
        run_steps(0, task.itermax);
    }
    // After itermax steps a lane still active has count itermax: the oracle's last step
    // (k == itermax) stops without testing, so no further iteration can change it.
    const std::size_t lanes = hn::Lanes(d);
    for (std::size_t r = 0; r < kTileRows; ++r) hn::StoreU(k[r], d, counts + r * lanes);
}

#if HWY_TARGET <= HWY_AVX3_DL && HWY_ARCH_X86 && HWY_COMPILER_GCC_ACTUAL
// AVX3_DL and later (Ice Lake, Zen 4 and newer): the kernels record each step's still-inside
// masks in memory and turn them into counts once per block of steps, instead of updating a
// count vector every step. Per tile-step the loop above issues 39 vector-port micro-ops:
// 4 x 8 for exact arithmetic and the compare, 4 count blends, the step counter and about 2 for
// the exit test. The loop below replaces the blends and the counter with four mask stores.

// Steps recorded per block: 64 steps x 4 rows of masks is 256 bytes (double, 8-bit masks) or
// 512 bytes (float, 16-bit masks), four or eight vectors.
constexpr std::uint32_t kHistorySteps = 64;
template <class Real>
constexpr std::size_t kMaskBytes = 64 / sizeof(Real) / 8;
template <class Real>
constexpr std::size_t kHistoryBytes = kHistorySteps * kTileRows * kMaskBytes<Real>;

// GF2P8AFFINEQB with these bytes as the vector and a qword of masks as the matrix transposes
// that 8 x 8 bit matrix: result byte b holds lane b's bit from each of the qword's 8 steps
// (Intel SDM, "GF2P8AFFINEQB": bit i of byte b is bit b of matrix byte 7 - i when the vector
// byte is 1 << b). The population count of each result byte then counts one lane's steps.
HWY_INLINE __m512i LaneStepCounts(__m512i masks_by_qword) {
    const __m512i lane_bits = _mm512_set1_epi64(static_cast<long long>(0x8040201008040201ULL));
    return _mm512_popcnt_epi8(_mm512_gf2p8affine_epi64_epi8(lane_bits, masks_by_qword, 0));
}

// Byte permutes that bring each row's (double) or half-row's (float) steps together in a
// 64-byte group of history, eight steps to a qword.
// Double: history[4 s + r] is row r's mask after step s; byte 16 r + s comes from byte
// 4 s + r, so each 128-bit lane holds one row's 16 steps.
alignas(64) constexpr std::uint8_t kRowsTogether[64] = {
    0, 4, 8,  12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60,
    1, 5, 9,  13, 17, 21, 25, 29, 33, 37, 41, 45, 49, 53, 57, 61,
    2, 6, 10, 14, 18, 22, 26, 30, 34, 38, 42, 46, 50, 54, 58, 62,
    3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47, 51, 55, 59, 63};
// Float: history[8 s + 2 r + h] holds lanes 8 h .. 8 h + 7 of row r's mask after step s; byte
// 8 v + s comes from byte 8 s + v (v = 2 r + h), so each 128-bit lane holds one row's 16
// lanes in order.
alignas(64) constexpr std::uint8_t kHalfRowsTogether[64] = {
    0, 8,  16, 24, 32, 40, 48, 56, 1, 9,  17, 25, 33, 41, 49, 57,
    2, 10, 18, 26, 34, 42, 50, 58, 3, 11, 19, 27, 35, 43, 51, 59,
    4, 12, 20, 28, 36, 44, 52, 60, 5, 13, 21, 29, 37, 45, 53, 61,
    6, 14, 22, 30, 38, 46, 54, 62, 7, 15, 23, 31, 39, 47, 55, 63};

// Adds the byte counts of one row (a 128-bit lane of the fold) to its totals: 8 x uint64 for
// double (the lane's low qword), 16 x uint32 for float.
template <class Real>
HWY_INLINE void AddRowCounts(__m512i& total, __m128i row_counts) {
    if constexpr (sizeof(Real) == 8) {
        total = _mm512_add_epi64(total, _mm512_cvtepu8_epi64(row_counts));
    } else {
        total = _mm512_add_epi32(total, _mm512_cvtepu8_epi32(row_counts));
    }
}

// The count of a lane is the number of steps after which it was still inside (a lane stays
// out once out), so each block adds, per row and lane, the population count of one bit column
// of the history.
template <class Real>
HWY_INLINE void FoldHistory(const std::uint8_t* HWY_RESTRICT history, __m512i (&total)[kTileRows]) {
    const __m512i together =
        _mm512_load_si512(sizeof(Real) == 8 ? kRowsTogether : kHalfRowsTogether);
    __m512i per_lane = _mm512_setzero_si512();  // byte counts, at most 64
    for (std::size_t group = 0; group < kHistoryBytes<Real> / 64; ++group) {
        const __m512i masks = _mm512_load_si512(history + 64 * group);
        per_lane = _mm512_add_epi8(per_lane,
                                   LaneStepCounts(_mm512_permutexvar_epi8(together, masks)));
    }
    if constexpr (sizeof(Real) == 8) {
        // A double row's two qwords hold the first and last 8 of each group's 16 steps: their
        // sum counts all 64.
        per_lane = _mm512_add_epi8(per_lane, _mm512_shuffle_epi32(per_lane, _MM_PERM_BADC));
    }
    AddRowCounts<Real>(total[0], _mm512_castsi512_si128(per_lane));
    AddRowCounts<Real>(total[1], _mm512_extracti32x4_epi32(per_lane, 1));
    AddRowCounts<Real>(total[2], _mm512_extracti32x4_epi32(per_lane, 2));
    AddRowCounts<Real>(total[3], _mm512_extracti32x4_epi32(per_lane, 3));
}

// KMOVB / KMOVW m, k. Written as _store_mask8, GCC 12 merges the four rows' stores into
// KMOVB r32, k (a vector-port micro-op each), shifts and ORs, and one dword store; with that
// and a scalar-load exit test the double kernel took 5 % longer.
HWY_INLINE void StoreMask(std::uint8_t* at, __mmask8 mask) {
    asm volatile("kmovb %1, %0" : "=m"(*at) : "k"(mask));
}
HWY_INLINE void StoreMask(std::uint8_t* at, __mmask16 mask) {
    asm volatile("kmovw %1, %0" : "=m"(*reinterpret_cast<std::uint16_t*>(at)) : "k"(mask));
}

// Every lane of the tile is out: KORTEST of two ORs (3 micro-ops; Highway's AllFalse of the
// four ORed masks is 4).
HWY_INLINE bool AllOut(const __mmask8 (&active)[kTileRows]) {
    return _kortestz_mask8_u8(_kor_mask8(active[0], active[1]), _kor_mask8(active[2], active[3]));
}
HWY_INLINE bool AllOut(const __mmask16 (&active)[kTileRows]) {
    return _kortestz_mask16_u8(_kor_mask16(active[0], active[1]),
                               _kor_mask16(active[2], active[3]));
}

// The tile of EscapeTile with counts from mask history; writes 4 rows of 8 (double) or 16
// (float) uint32, row r at counts + r * stride.
template <bool kMandelbrot, bool kPollCancel, class Real>
HWY_INLINE void EscapeTileHistory(const Real* HWY_RESTRICT xs, const Real* row_ys,
                                  const KernelTask<Real>& task,
                                  std::uint32_t* HWY_RESTRICT counts, std::size_t stride) {
    using D = hn::Full512<Real>;
    const D d;
    const hn::Vec<D> limit = hn::Set(d, task.threshold_squared);
    TileOrbits<D, kMandelbrot> orbits(d, xs, row_ys, task);
    using RawMask = decltype(hn::Mask<D>{}.raw);
    RawMask active[kTileRows];
    __m512i total[kTileRows];  // 8 x uint64 (double) or 16 x uint32 (float)
    for (std::size_t r = 0; r < kTileRows; ++r) {
        active[r] = hn::FirstN(d, hn::Lanes(d)).raw;
        total[r] = _mm512_setzero_si512();
    }
    alignas(64) std::uint8_t history[kHistoryBytes<Real>];
    std::uint32_t done = 0;  // steps folded into `total`
    bool escaped = false;
    while (!escaped && done < task.itermax) {
        if constexpr (kPollCancel) {
            if (done != 0 && done % cancel_poll_interval == 0 && task.cancelled()) return;
        }
        const std::uint32_t block = std::min(kHistorySteps, task.itermax - done);
        // Steps after the last one run must read as "escaped": zero the block first.
        for (std::size_t group = 0; group < kHistoryBytes<Real> / 64; ++group) {
            _mm512_store_si512(history + 64 * group, _mm512_setzero_si512());
        }
        for (std::uint32_t s = 0; s < block; ++s) {
            for (std::size_t r = 0; r < kTileRows; ++r) {
                active[r] = StillInside(d, hn::Mask<D>{active[r]}, orbits.Step(r), limit).raw;
                StoreMask(history + (kTileRows * s + r) * kMaskBytes<Real>, active[r]);
            }
            // Tested after every second step (a finished lane's later masks are zero, so an
            // extra step adds nothing to its count). Testing every step took 1-2 % longer;
            // loading the four mask bytes just stored instead of KORTEST, 13 % longer (a load
            // spanning four byte stores waits for them to retire).
            if ((s & 1) != 0 && AllOut(active)) {
                escaped = true;
                break;
            }
        }
        FoldHistory<Real>(history, total);
        done += block;
    }
    for (std::size_t r = 0; r < kTileRows; ++r) {
        if constexpr (sizeof(Real) == 8) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(counts + stride * r),
                                _mm512_cvtepi64_epi32(total[r]));
        } else {
            _mm512_storeu_si512(counts + stride * r, total[r]);
        }
    }
}
#endif  // mask history (AVX3_DL, GCC)

template <class Real, bool kMandelbrot>
HWY_INLINE void EscapeCountsTiles(const KernelTask<Real>& task) {
    const hn::ScalableTag<Real> d;
    const std::size_t lanes = hn::Lanes(d);
    HWY_ALIGN Real x_pad[kMaxLanes<Real>];
    // Tile outputs: Real counts for the blend loop, uint32 for the mask-history loop.
    [[maybe_unused]] HWY_ALIGN Real counts[kTileRows * kMaxLanes<Real>];
    [[maybe_unused]] HWY_ALIGN std::uint32_t tile_counts[kTileRows * kMaxLanes<Real>];
    Real row_ys[kTileRows];
    const bool poll_inside_tiles = task.cancel != nullptr && task.itermax > cancel_poll_interval;

    for (std::size_t j0 = 0; j0 < task.height; j0 += kTileRows) {
        // Once per row of tiles (at most about 0.3 s of work with itermax <= 65536 and a
        // 4000-pixel row); inside tiles too when itermax is larger.
        if (task.cancelled()) return;
        const std::size_t rows = std::min(kTileRows, task.height - j0);
        // A partial tile repeats its last row; the repeats are computed and discarded.
        for (std::size_t r = 0; r < kTileRows; ++r) row_ys[r] = task.ys[j0 + std::min(r, rows - 1)];
        for (std::size_t i0 = 0; i0 < task.width; i0 += lanes) {
            const std::size_t cols = std::min(lanes, task.width - i0);
            const Real* xs = task.xs + i0;
            if (cols < lanes) {  // a partial tile repeats its last column, too
                for (std::size_t c = 0; c < lanes; ++c) x_pad[c] = task.xs[i0 + std::min(c, cols - 1)];
                xs = x_pad;
            }
#if HWY_TARGET <= HWY_AVX3_DL && HWY_ARCH_X86 && HWY_COMPILER_GCC_ACTUAL
            static_assert(kMaxLanes<Real> == 64 / sizeof(Real));
            // A whole tile stores its counts straight into the output rows; a partial one
            // goes through tile_counts (copying every tile that way, a variable-length copy
            // per row, took 3 % longer on the headline image).
            const bool whole = rows == kTileRows && cols == lanes;
            std::uint32_t* const out = whole ? task.out + j0 * task.width + i0 : tile_counts;
            const std::size_t stride = whole ? task.width : lanes;
            if (poll_inside_tiles) {
                EscapeTileHistory<kMandelbrot, true>(xs, row_ys, task, out, stride);
            } else {
                EscapeTileHistory<kMandelbrot, false>(xs, row_ys, task, out, stride);
            }
            if (!whole) {
                for (std::size_t r = 0; r < rows; ++r) {
                    std::memcpy(task.out + (j0 + r) * task.width + i0, tile_counts + r * lanes,
                                cols * sizeof(std::uint32_t));
                }
            }
#else
            if (poll_inside_tiles) {
                EscapeTile<kMandelbrot, true>(d, xs, row_ys, task, counts);
            } else {
                EscapeTile<kMandelbrot, false>(d, xs, row_ys, task, counts);
            }
            for (std::size_t r = 0; r < rows; ++r) {
                std::uint32_t* out = task.out + (j0 + r) * task.width + i0;
                for (std::size_t c = 0; c < cols; ++c) {
                    out[c] = static_cast<std::uint32_t>(counts[r * lanes + c]);
                }
            }
#endif
        }
    }
}

template <class Real>
void EscapeCountsFamily(const KernelTask<Real>& task) {
    if (task.mandelbrot) {
        EscapeCountsTiles<Real, true>(task);
    } else {
        EscapeCountsTiles<Real, false>(task);
    }
}
void EscapeCountsDouble(const KernelTask<double>& task) { EscapeCountsFamily(task); }

// Gray levels from counts through a 256-entry table (itermax <= 255), 64 pixels a step: the
// counts, capped at itermax, narrowed to bytes and looked up with two-register byte
// permutes (VBMI), 128 entries each. Other targets leave it to the scalar table loop; this
// returns how many leading pixels it mapped.
std::size_t GrayFromCounts(const std::uint32_t* HWY_RESTRICT counts, std::size_t n,
                           const std::uint8_t* HWY_RESTRICT table, std::uint32_t itermax,
                           std::uint8_t* HWY_RESTRICT out) {
#if HWY_TARGET <= HWY_AVX3_DL && HWY_ARCH_X86
    const __m512i table0 = _mm512_loadu_si512(table);
    const __m512i table1 = _mm512_loadu_si512(table + 64);
    const __m512i table2 = _mm512_loadu_si512(table + 128);
    const __m512i table3 = _mm512_loadu_si512(table + 192);
    const __m512i cap = _mm512_set1_epi32(static_cast<int>(itermax));
    std::size_t p = 0;
    for (; p + 64 <= n; p += 64) {
        __m128i quarter[4];
        for (std::size_t q = 0; q < 4; ++q) {
            const __m512i capped = _mm512_min_epu32(_mm512_loadu_si512(counts + p + 16 * q), cap);
            quarter[q] = _mm512_cvtepi32_epi8(capped);
        }
        __m512i index = _mm512_castsi128_si512(quarter[0]);
        index = _mm512_inserti32x4(index, quarter[1], 1);
        index = _mm512_inserti32x4(index, quarter[2], 2);
        index = _mm512_inserti32x4(index, quarter[3], 3);
        const __m512i low = _mm512_permutex2var_epi8(table0, index, table1);   // entries 0-127
        const __m512i high = _mm512_permutex2var_epi8(table2, index, table3);  // 128-255
        _mm512_storeu_si512(out + p, _mm512_mask_blend_epi8(_mm512_movepi8_mask(index), low, high));
    }
    return p;
#else
    (void)counts, (void)n, (void)table, (void)itermax, (void)out;
    return 0;
#endif
}
void EscapeCountsSingle(const KernelTask<float>& task) { EscapeCountsFamily(task); }

}  // namespace HWY_NAMESPACE
}  // namespace juliaset::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#if HWY_ARCH_X86
#include <cpuid.h>
#endif

#include <atomic>
#include <string>
#include <vector>

#include "juliaset/escape.hpp"

namespace juliaset {
namespace detail {
namespace {

// Dispatch. Highway's HWY_DYNAMIC_DISPATCH asks libhwy which targets the CPU supports, and
// loading Debian's libhwy.so costs about 5 ms at every process start (a static initialiser
// times the clock): 5 ms is 4 % of the headline CLI run. On x86 the core detects the targets
// itself with the compiler's CPU-feature test and never links libhwy; elsewhere it asks libhwy.

// Every target this binary holds code for: the dynamic targets plus the portable fallback.
constexpr std::int64_t kCompiledTargets = HWY_TARGETS;

#if HWY_ARCH_X86
// F16C (CPUID leaf 1, ECX bit 29) and VAES (leaf 7, ECX bit 9) are read with CPUID, because
// Clang 14 (Debian 12's, which builds the fuzz targets) rejects these two names in
// __builtin_cpu_supports. Both are only used beside AVX tests, which check the OS support.
bool cpu_has_f16c() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 29)) != 0;
}
bool cpu_has_vaes() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    return __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 9)) != 0;
}
#endif

std::int64_t cpu_targets() {
#if HWY_ARCH_X86
    // Each target needs every feature its code is compiled with (Highway 1.0's HWY_TARGET_STR
    // for that target, plus GFNI for AVX3_DL, added above). The builtin also checks that the
    // OS saves the AVX and AVX-512 registers.
    __builtin_cpu_init();
    std::int64_t targets = HWY_EMU128 | HWY_SCALAR;
    const bool ssse3 = __builtin_cpu_supports("sse2") && __builtin_cpu_supports("ssse3");
    const bool sse4 = ssse3 && __builtin_cpu_supports("sse4.1") &&
                      __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
                      __builtin_cpu_supports("aes");
    const bool avx2 = sse4 && __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2") &&
                      __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
                      __builtin_cpu_supports("fma") && cpu_has_f16c();
    const bool avx3 = avx2 && __builtin_cpu_supports("avx512f") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512bw");
    const bool avx3_dl =
        avx3 && __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("avx512vbmi") &&
        __builtin_cpu_supports("avx512vbmi2") && cpu_has_vaes() &&
        __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bitalg") &&
        __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("gfni");
    if (ssse3) targets |= HWY_SSSE3;
    if (sse4) targets |= HWY_SSE4;
    if (avx2) targets |= HWY_AVX2;
    if (avx3) targets |= HWY_AVX3;
    if (avx3_dl) targets |= HWY_AVX3_DL;
    return targets;
#else
    return hwy::SupportedTargets();
#endif
}

// Targets both compiled and supported, best (lowest bit) first.
std::int64_t usable_targets() {
    static const std::int64_t usable = cpu_targets() & kCompiledTargets;
    return usable;
}

// force_simd_target's choice, or 0 for "the best usable target".
std::atomic<std::int64_t> forced_target{0};

std::int64_t chosen_target() {
    const std::int64_t forced = forced_target.load(std::memory_order_relaxed);
    if (forced != 0) return forced;
    const std::int64_t usable = usable_targets();
    return usable & -usable;
}

// The position of `target`'s kernel in a table laid out like HWY_EXPORT's: entry 0 unused,
// then one per dynamic target (best first), then the fallback.
std::size_t table_index(std::int64_t target) {
    if ((target & (HWY_EMU128 | HWY_SCALAR)) != 0) return HWY_MAX_DYNAMIC_TARGETS + 1;
    return static_cast<std::size_t>(__builtin_ctzll(
        static_cast<unsigned long long>(HWY_CHOSEN_TARGET_SHIFT(target))));
}

template <class Function>
using KernelTable = Function const[HWY_MAX_DYNAMIC_TARGETS + 2];

constexpr KernelTable<decltype(&HWY_STATIC_DISPATCH(EscapeCountsDouble))> kDoubleKernels = {
    nullptr, HWY_CHOOSE_TARGET_LIST(EscapeCountsDouble), HWY_CHOOSE_FALLBACK(EscapeCountsDouble)};
constexpr KernelTable<decltype(&HWY_STATIC_DISPATCH(EscapeCountsSingle))> kSingleKernels = {
    nullptr, HWY_CHOOSE_TARGET_LIST(EscapeCountsSingle), HWY_CHOOSE_FALLBACK(EscapeCountsSingle)};

constexpr KernelTable<decltype(&HWY_STATIC_DISPATCH(GrayFromCounts))> kGrayKernels = {
    nullptr, HWY_CHOOSE_TARGET_LIST(GrayFromCounts), HWY_CHOOSE_FALLBACK(GrayFromCounts)};

std::vector<std::int64_t> usable_target_list() {
    std::vector<std::int64_t> list;
    for (std::int64_t rest = usable_targets(); rest != 0; rest &= rest - 1) {
        list.push_back(rest & -rest);
    }
    return list;
}

}  // namespace

void escape_counts_simd(const KernelTask<double>& task) noexcept {
    kDoubleKernels[table_index(chosen_target())](task);
}
void escape_counts_simd(const KernelTask<float>& task) noexcept {
    kSingleKernels[table_index(chosen_target())](task);
}

std::size_t simd_kernel_index() noexcept { return table_index(chosen_target()); }

std::size_t gray_from_counts_simd(const std::uint32_t* counts, std::size_t n,
                                  const std::uint8_t* table, std::uint32_t itermax,
                                  std::uint8_t* out) noexcept {
    return kGrayKernels[table_index(chosen_target())](counts, n, table, itermax, out);
}

}  // namespace detail

std::string simd_target_name() { return hwy::TargetName(detail::chosen_target()); }

std::vector<std::string> available_simd_targets() {
    std::vector<std::string> names;
    for (const std::int64_t target : detail::usable_target_list()) {
        names.emplace_back(hwy::TargetName(target));
    }
    return names;
}

void force_simd_target(const std::string& name) {
    std::int64_t chosen = 0;
    if (!name.empty()) {
        for (const std::int64_t target : detail::usable_target_list()) {
            if (name == hwy::TargetName(target)) chosen = target;
        }
        if (chosen == 0) {
            throw std::invalid_argument("SIMD target '" + name +
                                        "' is not available on this CPU");
        }
    }
    detail::forced_target.store(chosen, std::memory_order_relaxed);
}

}  // namespace juliaset
#endif  // HWY_ONCE
