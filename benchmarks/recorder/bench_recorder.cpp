// SPDX-License-Identifier: MIT
// Issue 9's speed targets: one read of a process's pipe, from open() to end-of-file, for
// 1,000 stats (100 of them windows of 100 samples) and for 50,000 plain stats; the baseline is
// a read of a regular file holding the same bytes, in the same run. Then the longest time an
// application thread's incr() takes while a reader loops on the pipe, next to the same loop
// with nobody reading.

#include <statvent/recorder.h>
#include <statvent/statregistry.h>

#include <benchmark/benchmark.h>

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

namespace {

qint64 readToEnd(const char *path)
{
    static char buffer[1 << 16];
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    qint64 total = 0;
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        total += n;
    ::close(fd);
    return total;
}

void fill(Statvent::StatRegistry &registry, int plainStats, int windows)
{
    for (int i = 0; i < plainStats; ++i)
        registry.set(QByteArray("service.endpoint.") + QByteArray::number(i) + ".requests", i * 3);
    for (int w = 0; w < windows; ++w) {
        const QByteArray name = "service.latency." + QByteArray::number(w) + ".{0}";
        for (int s = 0; s < 100; ++s)
            registry.record(name, (s * 7919 % 100) / 10.0);
    }
}

struct Served
{
    Served(int plainStats, int windows)
        : recorder(&registry)
    {
        fill(registry, plainStats, windows);
        recorder.setPipeDir(directory.path());
        recorder.start();
        pipe = QFile::encodeName(recorder.pipePath());
        // The baseline: the same bytes in a regular file.
        file = QFile::encodeName(directory.filePath(QStringLiteral("same-bytes.txt")));
        QFile out(QString::fromLocal8Bit(file));
        out.open(QIODevice::WriteOnly);
        out.write(registry.snapshotText());
    }
    QTemporaryDir directory;
    Statvent::StatRegistry registry;
    Statvent::Recorder recorder;
    QByteArray pipe;
    QByteArray file;
};

enum class Source { Pipe, RegularFile };

void read(benchmark::State &state, Source source, int plainStats, int windows)
{
    Served served(plainStats, windows);
    const char *path = source == Source::Pipe ? served.pipe.constData() : served.file.constData();
    qint64 bytes = 0;
    for (auto _ : state)
        bytes = readToEnd(path);
    state.counters["bytes"] = double(bytes);
    state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_PipeRead_1000Stats_100Windows(benchmark::State &state) { read(state, Source::Pipe, 900, 100); }
void BM_FileRead_1000Stats_100Windows(benchmark::State &state) { read(state, Source::RegularFile, 900, 100); }
void BM_PipeRead_50000Stats(benchmark::State &state) { read(state, Source::Pipe, 50000, 0); }
void BM_FileRead_50000Stats(benchmark::State &state) { read(state, Source::RegularFile, 50000, 0); }

// The application thread's view: how long can one incr() take while a reader loops?
// Reported as the longest and the 99.99th percentile of 2 million calls.
void incrStalls(benchmark::State &state, bool readerLoops)
{
    Served served(10000, 1000);
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0};
    std::thread reader;
    if (readerLoops) {
        reader = std::thread([&] {
            while (!stop) {
                readToEnd(served.pipe.constData());
                ++reads;
            }
        });
    }
    std::vector<qint64> nanos(2000000);
    for (auto _ : state) {
        for (qint64 &n : nanos) {
            const auto start = std::chrono::steady_clock::now();
            served.registry.incr("app.requests");
            n = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
        }
    }
    stop = true;
    if (reader.joinable())
        reader.join();
    std::sort(nanos.begin(), nanos.end());
    state.counters["max_ns"] = double(nanos.back());
    state.counters["p9999_ns"] = double(nanos[nanos.size() * 9999 / 10000]);
    state.counters["median_ns"] = double(nanos[nanos.size() / 2]);
    state.counters["pipe_reads"] = double(reads.load());
}

void BM_IncrStall_ReaderLooping(benchmark::State &state) { incrStalls(state, true); }
void BM_IncrStall_NobodyReading(benchmark::State &state) { incrStalls(state, false); }

} // namespace

BENCHMARK(BM_FileRead_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PipeRead_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FileRead_50000Stats)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PipeRead_50000Stats)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_IncrStall_NobodyReading)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IncrStall_ReaderLooping)->Iterations(1)->Unit(benchmark::kMillisecond);

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
