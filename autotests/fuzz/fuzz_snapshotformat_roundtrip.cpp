// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// SnapshotFormat::serialize() then parse(): what a recorder serves on its socket, a reader gets
// back; and whatever a socket sends, the reader's snapshot is consistent.
//
// Properties:
// - any consistent typed snapshot (valid names and labels, finite values and sums, windows
//   with their rows) is written as a complete text that parses back to exactly the same
//   snapshot (same rows, kinds, bits of every value and sum, windows), with no line rejected
//   or skipped, in one line per statistic and per window plus the header and the end record,
//   plus one buckets record per SnapshotFormat::MaxBucketsPerRecord buckets (at least one) of
//   each window's histogram, each line at most SnapshotFormat::MaxLineLength bytes;
// - that text cut at any byte is never complete, and what is read of it is a prefix of the
//   snapshot's rows;
// - any text after a version-1 header parses to a consistent snapshot (every window's rows
//   inside the snapshot, of kind Window, one label each, a histogram only with the window's
//   count), which written again reads back the same and complete.

#include "fuzzcheck.h"
#include "fuzzcompare.h"
#include "fuzzinput.h"

#include <statvent/snapshotformat.h>

#include <bit>
#include <cmath>

using namespace Statvent;

namespace {

bool identical(const TypedSnapshot &a, const TypedSnapshot &b)
{
    if (!StatventFuzz::identical(a.stats, b.stats) || a.windows.size() != b.windows.size())
        return false;
    for (qsizetype i = 0; i < a.stats.size(); ++i) {
        if (a.stats.at(i).kind != b.stats.at(i).kind)
            return false;
    }
    for (qsizetype i = 0; i < a.windows.size(); ++i) {
        const WindowStats &x = a.windows.at(i);
        const WindowStats &y = b.windows.at(i);
        if (x.name != y.name || x.count != y.count
            || std::bit_cast<quint64>(x.sum) != std::bit_cast<quint64>(y.sum)
            || x.firstRow != y.firstRow || x.rowCount != y.rowCount || x.labels != y.labels
            || x.histogram != y.histogram)
            return false;
    }
    return true;
}

// Windows in order, their rows inside the snapshot and of kind Window, and no other row of it.
bool consistent(const TypedSnapshot &snapshot)
{
    qsizetype windowRows = 0;
    qsizetype next = 0;
    for (const WindowStats &window : snapshot.windows) {
        if (window.firstRow < next || window.rowCount < 0
            || window.firstRow + window.rowCount > snapshot.stats.size()
            || window.labels.size() != window.rowCount || window.count < 0
            || !std::isfinite(window.sum)
            || (window.histogram && window.histogram->count() != window.count))
            return false;
        next = window.firstRow + window.rowCount;
        windowRows += window.rowCount;
        for (qsizetype row = window.firstRow; row < next; ++row) {
            if (snapshot.stats.at(row).kind != StatKind::Window)
                return false;
        }
    }
    const auto isWindowRow = [](const StatEntry &entry) { return entry.kind == StatKind::Window; };
    const auto windowKind =
        std::count_if(snapshot.stats.cbegin(), snapshot.stats.cend(), isWindowRow);
    return windowKind == windowRows;
}

TypedSnapshot takeTypedSnapshot(StatventFuzz::FuzzInput &input)
{
    TypedSnapshot snapshot;
    // Names and labels up to one byte over their limits, so that the checks' edges are crossed too.
    auto takeName = [&input] { return input.takeBytes(PipeFormat::MaxNameLength + 1); };
    while (!input.atEnd() && snapshot.stats.size() + snapshot.windows.size() < 64) {
        const quint8 selector = input.takeByte();
        if (selector % 4 != 3) {
            const QByteArray name = takeName();
            const StatValue value = input.takeStatValue();
            const StatKind kind = selector % 4 == 0 ? StatKind::Counter
                : selector % 4 == 1                 ? StatKind::Gauge
                                                    : StatKind::Untyped;
            if (PipeFormat::isValidName(name) && value.isFinite())
                snapshot.stats.append(StatEntry{name, value, kind});
            continue;
        }
        WindowStats window;
        window.name = takeName();
        window.count = qint64(input.takeWord() & 0x7fff'ffff'ffff'ffff);
        window.sum = input.takeInterestingDouble();
        window.firstRow = snapshot.stats.size();
        if (!PipeFormat::isValidName(window.name) || !std::isfinite(window.sum))
            continue;
        const int rows = (selector >> 2) % 8;
        for (int i = 0; i < rows; ++i) {
            const QByteArray label = input.takeBytes(SnapshotFormat::MaxLabelLength + 1);
            const QByteArray name = takeName();
            const StatValue value = input.takeStatValue();
            if (SnapshotFormat::isValidLabel(label) && PipeFormat::isValidName(name)
                && value.isFinite()) {
                window.labels.append(label);
                snapshot.stats.append(StatEntry{name, value, StatKind::Window});
            }
        }
        window.rowCount = window.labels.size();
        if (selector & 0x80) {
            // A histogram of up to 255 samples, which the window's count and sum then match.
            QList<double> samples(input.takeByte());
            for (double &sample : samples)
                sample = input.takeInterestingDouble();
            window.histogram = Histogram::fromSamples(samples);
            window.count = window.histogram->count();
            window.sum = window.histogram->sum();
        }
        snapshot.windows.append(std::move(window));
    }
    return snapshot;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView raw(reinterpret_cast<const char *>(data), qsizetype(size));
    StatventFuzz::FuzzInput input(data, size);
    const quint64 cutSelector = input.takeWord();
    const TypedSnapshot snapshot = takeTypedSnapshot(input);
    FUZZ_CHECK(consistent(snapshot));

    const QByteArray text = SnapshotFormat::serialize(snapshot);
    qsizetype bucketsRecords = 0;
    for (const WindowStats &window : snapshot.windows) {
        if (window.histogram) {
            const qsizetype buckets = window.histogram->negativeBuckets().size()
                + window.histogram->positiveBuckets().size();
            bucketsRecords +=
                std::max<qsizetype>(1,
                                    (buckets + SnapshotFormat::MaxBucketsPerRecord - 1)
                                        / SnapshotFormat::MaxBucketsPerRecord);
        }
    }
    FUZZ_CHECK(text.count('\n')
               == snapshot.stats.size() + snapshot.windows.size() + 2 + bucketsRecords);
    for (const QByteArray &line : text.split('\n'))
        FUZZ_CHECK(line.size() <= SnapshotFormat::MaxLineLength);
    const SnapshotFormat::ParseResult result = SnapshotFormat::parse(text);
    FUZZ_CHECK(result.complete && result.error == SnapshotFormat::Error::NoError);
    FUZZ_CHECK(result.version == SnapshotFormat::Version);
    FUZZ_CHECK(result.rejectedLines == 0 && result.rejections.isEmpty()
               && result.skippedLines == 0);
    FUZZ_CHECK(identical(result.snapshot, snapshot));

    const qsizetype cutAt = qsizetype(cutSelector % quint64(text.size()));
    const SnapshotFormat::ParseResult cut =
        SnapshotFormat::parse(QByteArrayView(text).first(cutAt));
    FUZZ_CHECK(!cut.complete && cut.error != SnapshotFormat::Error::NoError);
    FUZZ_CHECK(cut.rejectedLines == 0);
    FUZZ_CHECK(StatventFuzz::identical(cut.snapshot.stats,
                                       snapshot.stats.first(cut.snapshot.stats.size())));

    // The raw input as the body of a socket text: whatever it holds, the result is consistent.
    const QByteArray any = "statvent-snapshot 1\n" + raw.toByteArray();
    const SnapshotFormat::ParseResult parsed = SnapshotFormat::parse(any);
    FUZZ_CHECK(consistent(parsed.snapshot));
    FUZZ_CHECK(parsed.complete == (parsed.error == SnapshotFormat::Error::NoError));
    FUZZ_CHECK(parsed.rejections.size()
               == std::min(parsed.rejectedLines, SnapshotFormat::MaxReportedRejections));
    const QByteArray written = SnapshotFormat::serialize(parsed.snapshot);
    const SnapshotFormat::ParseResult again = SnapshotFormat::parse(written);
    FUZZ_CHECK(again.complete && again.rejectedLines == 0);
    FUZZ_CHECK(identical(again.snapshot, parsed.snapshot));
    return 0;
}
