// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Issue 9's speed targets: one read of a process's pipe, from open() to end-of-file, for
// 1,000 stats (100 of them windows of 100 samples) and for 50,000 plain stats; the baseline is
// a read of a regular file holding the same bytes, in the same run. Issue 15's: one read of the
// same process's socket, from connect() to end-of-file, next to its FIFO and a regular file
// with the socket's bytes, with the recorder's phases (snapshot, rendering) measured apart.
// Then the longest time an application thread's incr() takes while a reader loops on the pipe,
// next to the same loop with nobody reading.

#include "../runbenchmarks.h"

#include <statvent/pipeformat.h>
#include <statvent/recorder.h>
#include <statvent/snapshotformat.h>
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

#include <cstring>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

//! Reads \a fd to end-of-file and closes it: the bytes read, or -1 if \a fd is not open.
qint64 drain(int fd)
{
    static char buffer[1 << 16];
    if (fd < 0)
        return -1;
    qint64 total = 0;
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        total += n;
    ::close(fd);
    return total;
}

qint64 readToEnd(const char *path)
{
    return drain(::open(path, O_RDONLY | O_CLOEXEC));
}

//! Connects to the Unix socket at \a address and reads to end-of-file.
qint64 readSocketToEnd(const sockaddr_un &address)
{
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0
        && ::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) < 0) {
        ::close(fd);
        return -1;
    }
    return drain(fd);
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
        const QByteArray socketPath = QFile::encodeName(recorder.socketPath());
        socket.sun_family = AF_UNIX;
        std::memcpy(socket.sun_path, socketPath.constData(),
                    std::min(size_t(socketPath.size()), sizeof socket.sun_path - 1));
        // The baselines: the same bytes in a regular file.
        file = writeFile("same-bytes.txt", registry.snapshotText());
        typedFile = writeFile("same-bytes-as-socket.txt",
                              Statvent::SnapshotFormat::serialize(registry.typedSnapshot()));
    }
    QByteArray writeFile(const char *name, const QByteArray &bytes)
    {
        const QString path = directory.filePath(QLatin1StringView(name));
        QFile out(path);
        out.open(QIODevice::WriteOnly);
        out.write(bytes);
        return QFile::encodeName(path);
    }
    QTemporaryDir directory;
    Statvent::StatRegistry registry;
    Statvent::Recorder recorder;
    QByteArray pipe;
    sockaddr_un socket{};
    QByteArray file;
    QByteArray typedFile;
};

enum class Source { Pipe, Socket, RegularFile, RegularFileOfSocketBytes };

void read(benchmark::State &state, Source source, int plainStats, int windows)
{
    Served served(plainStats, windows);
    const char *path = source == Source::Pipe        ? served.pipe.constData()
        : source == Source::RegularFileOfSocketBytes ? served.typedFile.constData()
                                                     : served.file.constData();
    qint64 bytes = 0;
    for (auto _ : state)
        bytes = source == Source::Socket ? readSocketToEnd(served.socket) : readToEnd(path);
    state.counters["bytes"] = double(bytes);
    state.SetBytesProcessed(state.iterations() * bytes);
}

void BM_PipeRead_1000Stats_100Windows(benchmark::State &state)
{
    read(state, Source::Pipe, 900, 100);
}
void BM_FileRead_1000Stats_100Windows(benchmark::State &state)
{
    read(state, Source::RegularFile, 900, 100);
}
void BM_SocketRead_1000Stats_100Windows(benchmark::State &state)
{
    read(state, Source::Socket, 900, 100);
}
void BM_FileRead_SocketBytes_1000Stats_100Windows(benchmark::State &state)
{
    read(state, Source::RegularFileOfSocketBytes, 900, 100);
}

// The recorder's phases for one read of the same process, in this thread: what a read costs
// beyond them is the write, the reader's wake-up and the hand-over between threads.
// TypedSnapshotText is what the socket's reader waits for now: the text written from the cells,
// against TypedSnapshot + SocketText, the text made from a snapshot.
enum class Phase { Snapshot, TypedSnapshot, PipeText, SocketText, TypedSnapshotText };

void phase(benchmark::State &state, Phase which)
{
    Statvent::StatRegistry registry;
    fill(registry, 900, 100);
    const Statvent::TypedSnapshot typed = registry.typedSnapshot();
    qsizetype size = 0;
    for (auto _ : state) {
        switch (which) {
        case Phase::Snapshot:
            size = registry.snapshot().size();
            break;
        case Phase::TypedSnapshot:
            size = registry.typedSnapshot().stats.size();
            break;
        case Phase::PipeText:
            size = Statvent::PipeFormat::serialize(typed.stats).size();
            break;
        case Phase::SocketText:
            size = Statvent::SnapshotFormat::serialize(typed).size();
            break;
        case Phase::TypedSnapshotText:
            size = registry.typedSnapshotText().size();
            break;
        }
        benchmark::DoNotOptimize(size);
    }
}

void BM_Phase_Snapshot_1000Stats_100Windows(benchmark::State &state)
{
    phase(state, Phase::Snapshot);
}
void BM_Phase_TypedSnapshot_1000Stats_100Windows(benchmark::State &state)
{
    phase(state, Phase::TypedSnapshot);
}
void BM_Phase_PipeText_1000Stats_100Windows(benchmark::State &state)
{
    phase(state, Phase::PipeText);
}
void BM_Phase_SocketText_1000Stats_100Windows(benchmark::State &state)
{
    phase(state, Phase::SocketText);
}
void BM_Phase_TypedSnapshotText_1000Stats_100Windows(benchmark::State &state)
{
    phase(state, Phase::TypedSnapshotText);
}

void BM_PipeRead_50000Stats(benchmark::State &state)
{
    read(state, Source::Pipe, 50000, 0);
}
void BM_FileRead_50000Stats(benchmark::State &state)
{
    read(state, Source::RegularFile, 50000, 0);
}

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
            n = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now() - start)
                    .count();
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

void BM_IncrStall_ReaderLooping(benchmark::State &state)
{
    incrStalls(state, true);
}
void BM_IncrStall_NobodyReading(benchmark::State &state)
{
    incrStalls(state, false);
}

} // namespace

BENCHMARK(BM_FileRead_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PipeRead_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FileRead_SocketBytes_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SocketRead_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Phase_Snapshot_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Phase_TypedSnapshot_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Phase_PipeText_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Phase_SocketText_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Phase_TypedSnapshotText_1000Stats_100Windows)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FileRead_50000Stats)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PipeRead_50000Stats)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_IncrStall_NobodyReading)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_IncrStall_ReaderLooping)->Iterations(1)->Unit(benchmark::kMillisecond);

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    return runBenchmarks(argc, argv);
}
