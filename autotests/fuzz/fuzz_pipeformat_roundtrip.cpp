// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// PipeFormat::serialize() then parse(): what a Statvent process writes, a reader gets back.
//
// Properties: any snapshot of valid names (PipeFormat::isValidName()) and finite values is
// written as text that parses back to exactly the same entries (same order, same type, same
// bits, -0.0 and subnormals included), with no line rejected; and the text is one line per entry.

#include "fuzzcheck.h"
#include "fuzzcompare.h"
#include "fuzzinput.h"

#include <statvent/pipeformat.h>

using namespace Statvent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    StatventFuzz::FuzzInput input(data, size);
    Snapshot snapshot;
    // Names up to one byte over the limit, so that isValidName()'s edge is crossed too.
    for (StatEntry &entry : input.takeSnapshot(64, PipeFormat::MaxNameLength + 1)) {
        if (PipeFormat::isValidName(entry.name) && entry.value.isFinite())
            snapshot.append(std::move(entry));
    }

    const QByteArray text = PipeFormat::serialize(snapshot);
    FUZZ_CHECK(text.count('\n') == snapshot.size());
    FUZZ_CHECK(text.isEmpty() || text.endsWith('\n'));

    const PipeFormat::ParseResult result = PipeFormat::parse(text);
    FUZZ_CHECK(result.rejectedLines == 0);
    FUZZ_CHECK(StatventFuzz::identical(result.stats, snapshot));

    // Each value alone reads back the same way, blanks around it allowed.
    for (const StatEntry &entry : snapshot) {
        QByteArray value = " \t";
        PipeFormat::appendValue(value, entry.value);
        value += "\r ";
        const std::optional<StatValue> parsed = PipeFormat::parseValue(value);
        FUZZ_CHECK(parsed && StatventFuzz::identical(*parsed, entry.value));
    }
    return 0;
}
