// Kernel throughput in escape-time iterations per second, for the scalar oracle, every SIMD
// target this CPU runs, and all threads. Built with the shipped flags (no -march=native).
//
//   build/cpp/bench/juliaset_bench_kernels --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "juliaset/juliaset.hpp"

namespace {

using namespace juliaset;

// The seed's headline workload; a band of rows through its middle keeps each run short.
const PixelGrid& headline_grid() {
    static const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 4000);
    return grid;
}
constexpr JuliaParams headline_params{-0.835, -0.2321, 2.0, 20, 100};
constexpr PixelWindow band{0, 1968, 4000, 64};

// Iterations the escape-time loop performs, summed over the window: min(k + 1, itermax).
double iterations_in(const std::vector<std::uint32_t>& counts, std::uint32_t itermax) {
    return std::accumulate(counts.begin(), counts.end(), 0.0, [itermax](double sum, auto k) {
        return sum + std::min<double>(k + 1.0, itermax);
    });
}

void run_single_thread(benchmark::State& state, Kernel kernel, const std::string& target,
                       Precision precision) {
    if (!target.empty()) force_simd_target(target);
    std::vector<std::uint32_t> counts(band.size());
    for (auto _ : state) {
        escape_counts(headline_grid(), headline_params, band, counts, kernel, precision);
        benchmark::DoNotOptimize(counts.data());
    }
    force_simd_target("");
    state.counters["iterations/s"] = benchmark::Counter(
        iterations_in(counts, headline_params.itermax) * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
    state.counters["pixels/s"] = benchmark::Counter(
        static_cast<double>(band.size() * state.iterations()), benchmark::Counter::kIsRate);
}

void BM_HeadlineImageAllThreads(benchmark::State& state) {
    const PixelGrid& grid = headline_grid();
    std::vector<std::uint32_t> counts(grid.pixel_count());
    for (auto _ : state) {
        render_counts(grid, headline_params, grid.full_window(), counts);
        benchmark::DoNotOptimize(counts.data());
    }
    state.counters["iterations/s"] = benchmark::Counter(
        iterations_in(counts, headline_params.itermax) * static_cast<double>(state.iterations()),
        benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::RegisterBenchmark("scalar_oracle", run_single_thread, Kernel::scalar, "",
                                 Precision::exact)
        ->Unit(benchmark::kMillisecond);
    for (const std::string& target : available_simd_targets()) {
        benchmark::RegisterBenchmark(("simd_" + target).c_str(), run_single_thread,
                                     Kernel::automatic, target, Precision::exact)
            ->Unit(benchmark::kMillisecond);
    }
    for (const std::string& target : available_simd_targets()) {
        benchmark::RegisterBenchmark(("simd_single_precision_" + target).c_str(),
                                     run_single_thread, Kernel::automatic, target,
                                     Precision::single)
            ->Unit(benchmark::kMillisecond);
    }
    benchmark::RegisterBenchmark("headline_4000x4000_all_threads", BM_HeadlineImageAllThreads)
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
