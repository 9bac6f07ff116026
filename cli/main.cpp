// juliaset: render a filled Julia set (or the Mandelbrot set) to a PNG file from the command line.
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>
#include <stdexcept>
#include <variant>

#include "juliaset/grid.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "render_png.hpp"

namespace {

// Every band allocates a few buffers of about 256 KiB (rows, filtered rows, counts, deflate
// output). glibc serves blocks above 128 KiB with fresh mmap()s and unmaps them on free, so
// each band faulted its pages in again: 7,622 minor page faults on the headline image against
// 957 with these limits; peak memory 7.3 MB before, 7.6 MB after.
void keep_freed_blocks_for_reuse() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

}  // namespace

int main(int argc, char** argv) {
    using namespace juliaset::cli;
    keep_freed_blocks_for_reuse();
    const ParseResult parsed = parse_options(argc, argv);
    if (const auto* exit = std::get_if<Exit>(&parsed)) {
        std::FILE* stream = exit->status == 0 ? stdout : stderr;
        std::fputs(exit->message.c_str(), stream);
        if (exit->message.empty() || exit->message.back() != '\n') std::fputc('\n', stream);
        return exit->status;
    }
    const Options& options = std::get<Options>(parsed);
    try {
        const auto metadata = image_metadata(options);
        const std::size_t height = options.view ? options.view->pixels_y
                                                : juliaset::PixelGrid(options.region,
                                                                      options.resolution).height();
        // Deep renders give the reference orbit (serial) a quarter of the bar before the rows,
        // and histogram colouring's first pass (every count, for the histogram) the rows once
        // more before the coloured rows.
        const std::size_t setup_units = options.deep ? std::max<std::size_t>(height / 3, 1) : 0;
        const std::size_t passes =
            options.deep && options.coloring == juliaset::Coloring::histogram ? 2 : 1;
        // Counts rows as bands finish; draws only on a terminal and only after a second.
        ProgressBar progress(setup_units + passes * height, STDERR_FILENO);
        PipelineSettings settings;
        settings.threads = options.threads;
        settings.precision = options.precision;
        settings.compression = compression_for(options.compression);
        if (progress.enabled()) {
            settings.on_rows_done = [&progress](std::size_t rows) { progress.advance(rows); };
            settings.on_setup_progress = [&progress, setup_units](double fraction) {
                progress.advance_to(static_cast<std::size_t>(fraction * static_cast<double>(setup_units)));
            };
        }
        // Ctrl-C (SIGINT) ends the process at once, also inside the reference orbit: the
        // handler write_output installs removes the temporary file and re-raises the signal.
        write_output(options.output, [&](const juliaset::png::ByteSink& sink) {
            if (options.deep) {
                render_png_deep(*options.view, deep_params(options), options.params.itermin,
                                image_spec(options), settings, metadata, sink);
            } else {
                render_png(pixel_grid(options), options.params, image_spec(options), settings,
                           metadata, sink);
            }
        });
        progress.finish();
        return 0;
    } catch (const OutputError& error) {
        std::fprintf(stderr, "juliaset: error: %s\n", error.what());
        return exit_io_error;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "juliaset: error: out of memory (try a smaller --resolution/-R)\n");
        return exit_io_error;
    } catch (const std::logic_error& error) {
        // invalid_argument, length_error, out_of_range: input the parser's checks let through.
        std::fprintf(stderr, "juliaset: error: %s\n", error.what());
        return exit_usage_error;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "juliaset: error: %s\n", error.what());
        return exit_io_error;
    }
}
