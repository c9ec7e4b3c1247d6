// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// PipeFormat::parse() on any bytes: what a hostile or broken process can put in its pipe.
//
// Properties: no crash, no hang (libFuzzer's -timeout), no sanitizer report, and
// - every accepted entry has a name the format can carry (not empty, no LF, within the line
//   limit) and a finite value;
// - accepted plus rejected lines account for every line that is not blank;
// - the first MaxReportedRejections rejections are reported, with increasing line numbers;
// - serialize(parse(x)) parses back to the same entries, bit for bit, rejecting nothing.

#include "fuzzcheck.h"
#include "fuzzcompare.h"

#include <statvent/pipeformat.h>

using namespace Statvent;

namespace {

bool isBlankByte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

//! Lines split at LF, as the format defines them: a last line without LF counts too.
QList<QByteArrayView> linesOf(QByteArrayView text)
{
    QList<QByteArrayView> lines;
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf('\n', start);
        if (end < 0)
            end = text.size();
        lines.append(text.sliced(start, end - start));
        start = end + 1;
    }
    return lines;
}

bool isBlankLine(QByteArrayView line)
{
    return std::all_of(line.begin(), line.end(), isBlankByte);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    const PipeFormat::ParseResult result = PipeFormat::parse(text);

    const QList<QByteArrayView> lines = linesOf(text);
    const qsizetype nonBlank = std::count_if(
        lines.cbegin(), lines.cend(), [](QByteArrayView line) { return !isBlankLine(line); });
    FUZZ_CHECK(result.stats.size() + result.rejectedLines == nonBlank);
    FUZZ_CHECK(result.rejections.size()
               == std::min(result.rejectedLines, PipeFormat::MaxReportedRejections));
    qsizetype previousLine = 0;
    for (const PipeFormat::Rejection &rejection : result.rejections) {
        FUZZ_CHECK(rejection.lineNumber > previousLine && rejection.lineNumber <= lines.size());
        FUZZ_CHECK(!isBlankLine(lines.at(rejection.lineNumber - 1)));
        previousLine = rejection.lineNumber;
    }

    for (const StatEntry &entry : result.stats) {
        FUZZ_CHECK(!entry.name.isEmpty());
        FUZZ_CHECK(!entry.name.contains('\n'));
        FUZZ_CHECK(entry.name.size() < PipeFormat::MaxLineLength);
        FUZZ_CHECK(entry.value.isFinite());
        // The name is the input's own bytes, up to a ':'.
        FUZZ_CHECK(text.indexOf(QByteArray(entry.name + ':')) >= 0);
    }

    const QByteArray written = PipeFormat::serialize(result.stats);
    const PipeFormat::ParseResult reread = PipeFormat::parse(written);
    FUZZ_CHECK(reread.rejectedLines == 0);
    FUZZ_CHECK(StatventFuzz::identical(reread.stats, result.stats));
    return 0;
}
