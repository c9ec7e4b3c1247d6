// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// statvent-web's JsonWriter on arbitrary sweeps: any names (any bytes) and values in.
//
// Properties: every document is valid UTF-8 that QJsonDocument parses; the stats object has one
// key per combined statistic, and each key gives back the name's exact bytes under the documented
// surrogateescape convention (a byte that is not UTF-8 is written as \udcXX); integers read
// back exactly, reals to the same double (an infinite sum as +-DBL_MAX); the per-process view
// (each statistic's kind under the same key in `kinds`, the channel),
// the counts and pid lists are all there; error messages read back as written.

#include "fuzzcheck.h"
#include "fuzzsweep.h"
#include <statventweb/jsonwriter.h>
#include <statventweb/windowcombiner.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <limits>

using namespace Statvent;
using namespace StatventWeb;
using StatventFuzz::FuzzInput;

namespace {

//! A key's bytes as Python's `key.encode("utf-8", "surrogateescape")` gives them.
QByteArray surrogateEscapedBytes(QStringView key)
{
    QByteArray bytes;
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < key.size(); ++i) {
        const char16_t unit = key[i].unicode();
        if (QChar::isHighSurrogate(unit) && i + 1 < key.size()
            && QChar::isLowSurrogate(key[i + 1].unicode())) {
            ++i; // a pair: an ordinary character beyond U+FFFF
            continue;
        }
        if (unit >= 0xDC80 && unit <= 0xDCFF) {
            bytes += key.sliced(runStart, i - runStart).toUtf8();
            bytes += char(unit - 0xDC00);
            runStart = i + 1;
        }
    }
    bytes += key.sliced(runStart).toUtf8();
    return bytes;
}

QJsonObject parseObject(const QByteArray &document)
{
    FUZZ_CHECK(QByteArrayView(document).isValidUtf8());
    QJsonParseError error;
    const QJsonDocument parsed = QJsonDocument::fromJson(document, &error);
    FUZZ_CHECK(error.error == QJsonParseError::NoError);
    FUZZ_CHECK(parsed.isObject());
    return parsed.object();
}

void checkNumber(const QJsonValue &json, const StatValue &value)
{
    FUZZ_CHECK(json.isDouble());
    if (value.isInteger()) {
        FUZZ_CHECK(json.toVariant().typeId() == QMetaType::LongLong);
        FUZZ_CHECK(json.toInteger() == value.toInteger());
    } else if (value.isFinite()) {
        FUZZ_CHECK(json.toDouble() == value.toReal());
    } else {
        const double largest = std::numeric_limits<double>::max();
        FUZZ_CHECK(json.toDouble() == (std::signbit(value.toReal()) ? -largest : largest));
    }
}

void checkStatsObject(const QJsonObject &object, const Snapshot &expected)
{
    const QHash<QByteArray, StatValue> values = StatventFuzz::valuesByName(expected);
    FUZZ_CHECK(object.size() == expected.size()); // no two names collapsed into one key
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const auto value = values.constFind(surrogateEscapedBytes(it.key()));
        FUZZ_CHECK(value != values.constEnd());
        checkNumber(it.value(), *value);
    }
}

//! `kinds` of ?by=process: the keys of `stats`, each with its statistic's kind.
void checkKindsObject(const QJsonObject &object, const Snapshot &expected)
{
    QHash<QByteArray, StatKind> kinds;
    for (const StatEntry &entry : expected)
        kinds.insert(entry.name, entry.kind);
    FUZZ_CHECK(object.size() == expected.size());
    static const QHash<QString, StatKind> names{{QStringLiteral("counter"), StatKind::Counter},
                                                {QStringLiteral("gauge"), StatKind::Gauge},
                                                {QStringLiteral("window"), StatKind::Window},
                                                {QStringLiteral("untyped"), StatKind::Untyped}};
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const auto kind = kinds.constFind(surrogateEscapedBytes(it.key()));
        FUZZ_CHECK(kind != kinds.constEnd());
        FUZZ_CHECK(names.contains(it.value().toString())
                   && names.value(it.value().toString()) == *kind);
    }
}

void checkPids(const QJsonValue &json, const QList<qint64> &pids)
{
    FUZZ_CHECK(json.isArray());
    const QJsonArray array = json.toArray();
    FUZZ_CHECK(array.size() == pids.size());
    for (qsizetype i = 0; i < pids.size(); ++i)
        FUZZ_CHECK(array.at(i).toInteger() == pids.at(i));
}

void checkTimestamp(const QJsonValue &json, double timestamp)
{
    checkNumber(json, StatValue(timestamp));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    const StatCombiner::Mode mode = StatventFuzz::takeMode(input);
    const QString message = QString::fromUtf8(input.takeBytes(200));
    const QString path = QString::fromUtf8(input.takeBytes(200));
    const SweepResult result = StatventFuzz::takeSweepResult(input);

    const QJsonObject combined = parseObject(JsonWriter::stats(result, mode));
    checkStatsObject(combined.value(u"stats").toObject(),
                     WindowCombiner::combinedView(result.processes, mode).stats);
    FUZZ_CHECK(combined.value(u"windows").isObject());
    FUZZ_CHECK(combined.value(u"aggregate").toString() == StatCombiner::name(mode));
    FUZZ_CHECK(combined.value(u"processes").toInteger() == result.processes.size());
    FUZZ_CHECK(combined.value(u"unanswered").toInteger() == result.unanswered.size());
    checkTimestamp(combined.value(u"timestamp"), result.timestamp);

    const QJsonObject byProcess = parseObject(JsonWriter::byProcess(result));
    const QJsonObject processes = byProcess.value(u"processes").toObject();
    FUZZ_CHECK(processes.size() == result.processes.size());
    for (const ProcessStats &process : result.processes) {
        const QJsonObject entry = processes.value(QString::number(process.pid)).toObject();
        checkStatsObject(entry.value(u"stats").toObject(), process.stats);
        checkKindsObject(entry.value(u"kinds").toObject(), process.stats);
        FUZZ_CHECK(entry.value(u"channel").toString()
                   == (process.channel == Channel::Socket ? u"socket" : u"fifo"));
        FUZZ_CHECK(entry.value(u"rejectedLines").toInteger() == process.rejectedLines);
        FUZZ_CHECK(entry.value(u"truncated").toBool(!process.truncated) == process.truncated);
    }
    checkPids(byProcess.value(u"unanswered"), result.unanswered);
    checkPids(byProcess.value(u"removed"), result.removed);
    checkTimestamp(byProcess.value(u"timestamp"), result.timestamp);

    const QJsonObject error = parseObject(JsonWriter::message(message, path));
    FUZZ_CHECK(error.value(u"message").toString() == message);
    FUZZ_CHECK(error.value(u"path").toString() == path);
    return 0;
}
