// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// What statvent-web's sweep spends per record of a socket text (issue 17's sweep): one writer's
// text of 1,000 statistics, as webservice-testwriter --stats 1000 sends it, read the way a sweep
// reads it, next to a pass over the same bytes that only finds the lines (the floor).
#include <statvent/snapshotformat.h>

#include <benchmark/benchmark.h>

#include <cstring>

namespace {

constexpr int Statistics = 1000;

QByteArray writerText()
{
    Statvent::TypedSnapshot snapshot;
    for (int i = 0; i < Statistics; ++i) {
        snapshot.stats.append({"stat." + QByteArray::number(i), qint64(i),
                               i % 2 ? Statvent::StatKind::Gauge : Statvent::StatKind::Counter});
    }
    return Statvent::SnapshotFormat::serialize(snapshot);
}

//! The floor: every line found, nothing read from it.
void findLines1000(benchmark::State &state)
{
    const QByteArray text = writerText();
    for (auto _ : state) {
        qsizetype lines = 0;
        const char *at = text.constData();
        const char *const end = at + text.size();
        while (const void *newline = std::memchr(at, '\n', size_t(end - at))) {
            at = static_cast<const char *>(newline) + 1;
            ++lines;
        }
        benchmark::DoNotOptimize(lines);
    }
    state.SetItemsProcessed(state.iterations() * (Statistics + 2));
}
BENCHMARK(findLines1000);

/*!
 * One text parsed as a sweep does: with repeated names rejected and, for Arg(1), the same
 * writer's previous text as the reader's previous (every sweep after the first), which is then
 * released, as the sweep releases the previous sweep's processes.
 */
void parseSocketText1000(benchmark::State &state)
{
    const QByteArray text = writerText();
    const bool withPrevious = state.range(0);
    Statvent::TypedSnapshot previous;
    for (auto _ : state) {
        Statvent::SnapshotFormat::Reader reader(
            Statvent::SnapshotFormat::Reader::RepeatedNames::Reject);
        if (withPrevious)
            reader.setPrevious(previous);
        reader.feed(text);
        Statvent::SnapshotFormat::ParseResult result = reader.finish();
        if (!result.complete)
            state.SkipWithError("the text is not complete");
        previous = std::move(result.snapshot);
    }
    state.SetItemsProcessed(state.iterations() * (Statistics + 2));
}
BENCHMARK(parseSocketText1000)->Arg(0)->Arg(1);

} // namespace
