// Private, per SIMD target (included from a Highway foreach_target file after its
// HWY_TARGET_INCLUDE, like Highway's own -inl.h headers): ClearUpperHalves(), which a
// kernel's entry point calls before it returns to generic code.
//
// Why: the generic code is SSE-encoded (the library is built for baseline x86-64), and SSE
// instructions after AVX code that leaves the upper halves of the vector registers in use ran
// 4 times slower on this project's AMD EPYC machines (measured: the deep engine's pixel deltas
// after a row of the SIMD kernel, 3 -> 12 ns a pixel). GCC clears them (vzeroupper) on the
// return of most AVX functions, but not of those that take or return vectors in registers,
// such as the deep kernel's LaneGroup::Run, so a caller of those can return with them dirty.

// Highway's per-target include guard: toggled for each target's pass.
#if defined(JULIASET_CLEAR_UPPER_INL_H_) == defined(HWY_TARGET_TOGGLE)
#ifdef JULIASET_CLEAR_UPPER_INL_H_
#undef JULIASET_CLEAR_UPPER_INL_H_
#else
#define JULIASET_CLEAR_UPPER_INL_H_
#endif

#include <hwy/highway.h>

HWY_BEFORE_NAMESPACE();
namespace juliaset::simd::HWY_NAMESPACE {

HWY_INLINE void ClearUpperHalves() {
#if HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2
    _mm256_zeroupper();
#endif
}

}  // namespace juliaset::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#endif  // JULIASET_CLEAR_UPPER_INL_H_
