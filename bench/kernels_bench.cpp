// Kernel throughput in escape-time iterations per second, for the scalar oracle, every SIMD
// target this CPU runs, and all threads. Built with the shipped flags (no -march=native).
//
//   build/cpp/bench/juliaset_bench_kernels --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
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

// --- smooth counts (render_fields) against counts, one thread -----------------------------
// The seed's view (the headline band) and seahorse valley of the Mandelbrot set, where orbits
// are long: the scalar per-pixel fields loop (the oracle, and the only path before the SIMD
// fields kernel), the SIMD fields kernel, and plain counts on the SIMD count kernel.
struct FieldsView {
    const char* name;
    PixelGrid grid;
    JuliaParams params;
    PixelWindow window;
};

const std::vector<FieldsView>& fields_views() {
    static const std::vector<FieldsView> views = [] {
        JuliaParams seahorse{0, 0, 2.0, 0, 1500};
        seahorse.family = Family::mandelbrot;
        return std::vector<FieldsView>{
            {"seed", headline_grid(), headline_params, band},
            {"seahorse", PixelGrid(Region{-0.7485, -0.7425, 0.0985, 0.1025}, 1200), seahorse,
             PixelWindow{0, 368, 1200, 64}}};
    }();
    return views;
}

enum class FieldsRow { counts, smooth_scalar, smooth_simd, distance_scalar, distance_simd };
constexpr FieldsRow kFieldsRows[] = {FieldsRow::counts, FieldsRow::smooth_scalar,
                                     FieldsRow::smooth_simd, FieldsRow::distance_scalar,
                                     FieldsRow::distance_simd};

void run_fields(benchmark::State& state, std::size_t view_index, FieldsRow row) {
    const FieldsView& view = fields_views()[view_index];
    RenderOptions options;
    options.threads = 1;
    options.kernel = row == FieldsRow::smooth_scalar || row == FieldsRow::distance_scalar
                         ? Kernel::scalar
                         : Kernel::automatic;
    const bool distance = row == FieldsRow::distance_scalar || row == FieldsRow::distance_simd;
    std::vector<std::uint32_t> counts(view.window.size());
    std::vector<double> field(view.window.size());
    for (auto _ : state) {
        if (row == FieldsRow::counts) {
            render_counts(view.grid, view.params, view.window, counts, options);
            benchmark::DoNotOptimize(counts.data());
        } else {
            render_fields(view.grid, view.params, view.window,
                          distance ? FieldBuffers{.distance = field} : FieldBuffers{.smooth = field},
                          options);
            benchmark::DoNotOptimize(field.data());
        }
    }
    state.counters["pixels/s"] = benchmark::Counter(
        static_cast<double>(view.window.size() * state.iterations()), benchmark::Counter::kIsRate);
}

const char* const kFieldsRowNames[] = {"counts_simd", "smooth_scalar", "smooth_simd",
                                       "distance_scalar", "distance_simd"};

std::string fields_row_name(std::size_t view, FieldsRow row) {
    return std::string("fields_") + fields_views()[view].name + "_" +
           kFieldsRowNames[static_cast<int>(row)];
}

// The console table, then per view and field (smooth, distance): its time against that of
// counts, for the scalar fields loop and the SIMD kernel, and the kernel's speed-up, all from
// this run.
// CPU time: the rows run on one thread, and on a shared machine wall time counts other
// processes' turns too.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    explicit RatioReporter(OutputOptions options) : ConsoleReporter(options) {}
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& run : runs) {
            if (run.run_type == Run::RT_Iteration && run.iterations > 0) {
                seconds_[run.benchmark_name()] = run.GetAdjustedCPUTime();
            }
        }
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        for (std::size_t v = 0; v < fields_views().size(); ++v) {
            const auto time = [&](FieldsRow row) {
                const auto found = seconds_.find(fields_row_name(v, row));
                return found == seconds_.end() ? 0.0 : found->second;
            };
            const double counts = time(FieldsRow::counts);
            const struct {
                const char* field;
                double scalar, simd;
            } fields[] = {
                {"smooth", time(FieldsRow::smooth_scalar), time(FieldsRow::smooth_simd)},
                {"distance", time(FieldsRow::distance_scalar), time(FieldsRow::distance_simd)}};
            for (const auto& f : fields) {
                if (counts <= 0.0 || f.scalar <= 0.0 || f.simd <= 0.0) continue;
                std::printf("%-9s %-8s / counts CPU time: scalar fields %.2f, SIMD fields %.2f; "
                            "SIMD fields %.1fx as fast as the scalar fields\n",
                            fields_views()[v].name, f.field, f.scalar / counts, f.simd / counts,
                            f.scalar / f.simd);
            }
        }
    }

private:
    std::map<std::string, double> seconds_;
};

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
    for (std::size_t v = 0; v < fields_views().size(); ++v) {
        for (const FieldsRow row : kFieldsRows) {
            benchmark::RegisterBenchmark(fields_row_name(v, row).c_str(), run_fields, v, row)
                ->Unit(benchmark::kMillisecond);
        }
    }
    // The ratio lines follow the console table; other formats (--benchmark_format=json) are
    // left to the library. A reporter passed in ignores the tabular flag, so it is read here.
    bool console = true;
    auto output = benchmark::ConsoleReporter::OO_Defaults;
    for (int a = 1; a < argc; ++a) {
        const std::string arg = argv[a];
        if (arg.starts_with("--benchmark_format=") && arg != "--benchmark_format=console") {
            console = false;
        }
        if (arg == "--benchmark_counters_tabular=true") {
            output = benchmark::ConsoleReporter::OO_ColorTabular;
        }
    }
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter(output);
    benchmark::RunSpecifiedBenchmarks(console ? &reporter : nullptr);
    benchmark::Shutdown();
}
