// The deep engine on issue 9's goal location (fractalshades' example minibrot near -2): one
// DeepRender per width, the whole image on every thread, printed as a Markdown table with the
// reference orbit's and the render's wall time, the process's CPU time, and iterations per
// pixel. Widths and sizes are arguments:
//
//   build/cpp/bench/juliaset_bench_deep [size] [threshold] [width:itermax ...]
//   build/cpp/bench/juliaset_bench_deep 800 2 1e-30:1000000 1e-100:1000000
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "juliaset/deep.hpp"

namespace {

std::string read_text(const std::string& name) {
    std::ifstream in(std::string(JULIASET_DEEP_DATA_DIR) + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

}  // namespace

int main(int argc, char** argv) {
    using namespace juliaset;
    const std::size_t size = argc > 1 ? std::stoul(argv[1]) : 800;
    const double threshold = argc > 2 ? std::stod(argv[2]) : 2.0;
    std::vector<std::pair<std::string, std::uint32_t>> views;
    for (int k = 3; k < argc; ++k) {
        const std::string arg = argv[k];
        const std::size_t colon = arg.find(':');
        views.emplace_back(arg.substr(0, colon), static_cast<std::uint32_t>(
                                                     std::stoul(arg.substr(colon + 1))));
    }
    if (views.empty()) {
        views = {{"1e-30", 1000000},
                 {"1e-100", 1000000},
                 {"1e-300", 1000000},
                 {"5.07e-433", 1000000000}};
    }
    const std::string re = read_text("fractalshades-min-re.txt");
    const std::string im = read_text("fractalshades-min-im.txt");
    std::printf("fractalshades' deep_min location, %zu x %zu, threshold %g, %u threads\n\n", size,
                size, threshold, resolve_thread_count(0));
    std::printf("| width | itermax | bits | reference | iterations/pixel (median / mean / max) "
                "| reference s | render s | total s | CPU s |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const auto& [width, itermax] : views) {
        DeepParams params;
        params.threshold = threshold;
        params.itermax = itermax;
        const DeepView view{re, im, width, size, size};
        const double cpu0 = cpu_seconds();
        const auto t0 = std::chrono::steady_clock::now();
        const DeepRender render(view, params);
        const double reference_time = seconds_since(t0);
        std::vector<std::uint32_t> counts(size * size);
        FieldBuffers out;
        out.counts = counts;
        const auto t1 = std::chrono::steady_clock::now();
        render.render(render.full_window(), out);
        const double render_time = seconds_since(t1);
        const double cpu = cpu_seconds() - cpu0;
        std::vector<std::uint32_t> sorted = counts;
        std::sort(sorted.begin(), sorted.end());
        double mean = 0.0;
        for (const std::uint32_t c : counts) mean += c;
        mean /= static_cast<double>(counts.size());
        std::printf("| %s | %u | %zu | %zu | %u / %.0f / %u | %.3f | %.3f | %.3f | %.3f |\n",
                    width.c_str(), itermax, render.precision_bits(), render.reference_length(),
                    sorted[sorted.size() / 2], mean, sorted.back(), reference_time, render_time,
                    reference_time + render_time, cpu);
        std::fflush(stdout);
    }
    return 0;
}
