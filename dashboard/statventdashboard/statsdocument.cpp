// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/statsdocument.h>

#include <statventdashboard/percentilegroups.h>

#include <statvent/aggregates.h>
#include <statvent/windowmerge.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QVariant>

#include <algorithm>
#include <array>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

QString describeType(const QJsonValue &value)
{
    // Indexed by QJsonValue::Type, whose values are 0 (Null) to 5 (Object); Undefined is 0x80.
    static constexpr std::array<QStringView, 6> names = {u"null",     u"a boolean", u"a number",
                                                         u"a string", u"an array",  u"an object"};
    const auto type = std::size_t(value.type());
    return type < names.size() ? names[type].toString() : u"missing"_s;
}

QString wrongType(const QString &what, const QJsonValue &value, const QString &expected)
{
    return what + u" is "_s + describeType(value) + u", not "_s + expected;
}

// QJsonDocument keeps integers that fit in 64 bits as integers (exact up to 2^63 - 1) and
// everything else as doubles; StatValue keeps that distinction for exact counters and sums.
Statvent::StatValue toStatValue(const QJsonValue &number)
{
    const QVariant variant = number.toVariant();
    if (variant.typeId() == QMetaType::LongLong)
        return variant.toLongLong();
    return number.toDouble();
}

// Reads the stats of one object into \a out: the names already in \a kept, and new ones while
// \a kept holds fewer than MaxStats; the values of the others are counted in \a leftOut. Every
// value is checked, kept or not.
bool readStats(const QJsonValue &json, const QString &where, const StatsDocument::Stats &kept,
               StatsDocument::Stats &out, qint64 &leftOut, QString &error)
{
    if (!json.isObject()) {
        error = wrongType(where, json, u"an object"_s);
        return false;
    }
    const QJsonObject object = json.toObject();
    qsizetype room = std::max<qsizetype>(0, StatsDocument::MaxStats - kept.size());
    out.reserve(std::min(object.size(), StatsDocument::MaxStats));
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!it.value().isDouble()) {
            error =
                wrongType(u"stat \""_s + it.key() + u"\" in "_s + where, it.value(), u"a number"_s);
            return false;
        }
        const QString name = it.key();
        if (!kept.contains(name)) {
            if (room == 0) {
                ++leftOut;
                continue;
            }
            --room;
        }
        out.insert(name, toStatValue(it.value()));
    }
    return true;
}

// The object \a json, or an empty one when it is absent; false, with \a error, for anything else.
bool readOptionalObject(const QJsonValue &json, const QString &where, QJsonObject &object,
                        QString &error)
{
    if (json.isUndefined())
        return true;
    if (!json.isObject()) {
        error = wrongType(where, json, u"an object"_s);
        return false;
    }
    object = json.toObject();
    return true;
}

// Reads the kinds of the stats kept in \a stats from \a json, which may be absent.
bool readKinds(const QJsonValue &json, const QString &where, const StatsDocument::Stats &stats,
               StatsDocument::Kinds &out, QString &error)
{
    QJsonObject object;
    if (!readOptionalObject(json, where, object, error))
        return false;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (!it.value().isString()) {
            error = wrongType(u"kind of \""_s + it.key() + u"\" in "_s + where, it.value(),
                              u"a string"_s);
            return false;
        }
        if (!stats.contains(it.key()))
            continue;
        const QString kind = it.value().toString();
        if (kind == "counter"_L1)
            out.insert(it.key(), Statvent::StatKind::Counter);
        else if (kind == "gauge"_L1)
            out.insert(it.key(), Statvent::StatKind::Gauge);
        else if (kind == "window"_L1)
            out.insert(it.key(), Statvent::StatKind::Window);
    }
    return true;
}

bool readBuckets(const QJsonValue &json, const QString &where,
                 QList<Statvent::Histogram::Bucket> &out, QString &error)
{
    if (!json.isArray()) {
        error = wrongType(where, json, u"an array of [index, count] pairs"_s);
        return false;
    }
    const QJsonArray pairs = json.toArray();
    out.reserve(pairs.size());
    for (const QJsonValue &pair : pairs) {
        const QJsonArray parts = pair.toArray();
        if (!pair.isArray() || parts.size() != 2 || !parts[0].isDouble() || !parts[1].isDouble()) {
            error = where + u" holds something else than [index, count] pairs"_s;
            return false;
        }
        out.append({int(parts[0].toInteger()), parts[1].toInteger()});
    }
    return true;
}

// A window's histogram, checked by Histogram::fromParts(); \a sum is the window's.
bool readHistogram(const QJsonValue &json, const QString &where, double sum,
                   std::optional<Statvent::Histogram> &out, QString &error)
{
    if (!json.isObject()) {
        error = wrongType(where, json, u"an object"_s);
        return false;
    }
    const QJsonObject object = json.toObject();
    if (object.value("scale"_L1).toInt(-1) != Statvent::Histogram::Scale) {
        error = where + u" is not of scale "_s + QString::number(Statvent::Histogram::Scale);
        return false;
    }
    for (const auto key : {"zeroCount"_L1, "min"_L1, "max"_L1}) {
        if (!object.value(key).isDouble()) {
            error =
                wrongType(u"\""_s + key + u"\" of "_s + where, object.value(key), u"a number"_s);
            return false;
        }
    }
    QList<Statvent::Histogram::Bucket> negative;
    QList<Statvent::Histogram::Bucket> positive;
    if (!readBuckets(object.value("negative"_L1), u"\"negative\" of "_s + where, negative, error)
        || !readBuckets(object.value("positive"_L1), u"\"positive\" of "_s + where, positive,
                        error))
        return false;
    out = Statvent::Histogram::fromParts(object.value("zeroCount"_L1).toInteger(), negative,
                                         positive, object.value("min"_L1).toDouble(),
                                         object.value("max"_L1).toDouble(), sum);
    if (!out)
        error =
            where + u" is not a valid histogram (buckets out of order or range, or min > max)"_s;
    return bool(out);
}

// Percentiles ascending, then the mean, as the window reports its rows.
void sortByRank(QList<std::pair<QString, QString>> &rows)
{
    std::stable_sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
        return PercentileGroups::rankOf(a.first) < PercentileGroups::rankOf(b.first);
    });
}

// Reads the windows in \a json, which may be absent; "merged" is read when \a readMerged,
// otherwise every window is its own process's and exact.
bool readWindows(const QJsonValue &json, const QString &where, bool readMerged,
                 StatsDocument::Windows &out, QString &error)
{
    QJsonObject object;
    if (!readOptionalObject(json, where, object, error))
        return false;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString window = u"window \""_s + it.key() + u"\" in "_s + where;
        if (!it.value().isObject()) {
            error = wrongType(window, it.value(), u"an object"_s);
            return false;
        }
        const QJsonObject entry = it.value().toObject();
        const QJsonValue rows = entry.value("rows"_L1);
        if (!rows.isObject()) {
            error = wrongType(u"\"rows\" of "_s + window, rows, u"an object"_s);
            return false;
        }
        StatsDocument::Window parsed;
        const QJsonObject rowObject = rows.toObject();
        for (auto row = rowObject.constBegin(); row != rowObject.constEnd(); ++row) {
            if (!row.value().isString()) {
                error = wrongType(u"row \""_s + row.key() + u"\" of "_s + window, row.value(),
                                  u"a string"_s);
                return false;
            }
            parsed.rows.append({row.key(), row.value().toString()});
        }
        sortByRank(parsed.rows);
        const QJsonValue count = entry.value("count"_L1);
        const QJsonValue sum = entry.value("sum"_L1);
        if (!count.isDouble() || !sum.isDouble()) {
            error = wrongType(u"\""_s + (count.isDouble() ? u"sum"_s : u"count"_s) + u"\" of "_s
                                  + window,
                              count.isDouble() ? sum : count, u"a number"_s);
            return false;
        }
        parsed.count = count.toInteger();
        parsed.sum = sum.toDouble();
        parsed.merged = readMerged ? entry.value("merged"_L1).toBool() : true;
        const QJsonValue histogram = entry.value("histogram"_L1);
        if (!histogram.isUndefined()
            && !readHistogram(histogram, u"\"histogram\" of "_s + window, parsed.sum,
                              parsed.histogram, error))
            return false;
        out.insert(it.key(), std::move(parsed));
    }
    return true;
}

//! The labels of \a rows, as the library names them.
QList<QByteArray> labelsOf(const QList<std::pair<QString, QString>> &rows)
{
    QList<QByteArray> labels;
    labels.reserve(rows.size());
    for (const auto &row : rows)
        labels.append(row.first.toUtf8());
    return labels;
}

} // namespace

void StatsDocument::combineWindows()
{
    // Every window any process reported, with the rows of all of them, merged by the rule the
    // service applies (Statvent::WindowMerge).
    QHash<QString, Statvent::WindowMerge> merges;
    for (const Process &process : std::as_const(m_processes)) {
        for (auto it = process.windows.cbegin(); it != process.windows.cend(); ++it) {
            auto total = m_totalWindows.find(it.key());
            if (total == m_totalWindows.end()) {
                total = m_totalWindows.insert(it.key(), Window{it.value().rows, false, 0, 0, {}});
            } else {
                for (const auto &row : it.value().rows) {
                    if (!total->rows.contains(row))
                        total->rows.append(row);
                }
            }
            merges[it.key()].add(labelsOf(it.value().rows), it.value().count, it.value().sum,
                                 it.value().histogram);
        }
    }
    for (auto window = m_totalWindows.begin(); window != m_totalWindows.end(); ++window) {
        sortByRank(window->rows);
        Statvent::WindowMerge &merge = merges[window.key()];
        // A process that reports one of the rows without the window (a FIFO writer).
        for (const Process &process : std::as_const(m_processes)) {
            if (process.windows.contains(window.key()))
                continue;
            for (const auto &row : std::as_const(window->rows)) {
                if (process.stats.contains(row.second)) {
                    merge.addForeignRow();
                    break;
                }
            }
        }
        window->count = merge.count();
        window->sum = merge.sum();
        window->histogram = merge.histogram();
        window->merged = merge.isMerged();
        const QList<double> values = merge.mergedRowValues();
        for (qsizetype i = 0; i < values.size(); ++i) {
            const QString label = QString::fromUtf8(merge.labels().at(i));
            for (const auto &[rowLabel, row] : std::as_const(window->rows)) {
                const auto total = m_totals.find(row);
                if (rowLabel == label && total != m_totals.end())
                    *total = values.at(i);
            }
        }
    }
}

const StatsDocument::Process *StatsDocument::process(qint64 pid) const
{
    const auto it =
        std::lower_bound(m_processes.cbegin(), m_processes.cend(), pid,
                         [](const Process &p, qint64 wanted) { return p.pid < wanted; });
    return it != m_processes.cend() && it->pid == pid ? &*it : nullptr;
}

StatsDocument StatsDocument::parse(QByteArrayView json, QString *error)
{
    StatsDocument document;
    QString problem;
    auto fail = [&](const QString &reason) {
        if (error)
            *error = reason;
        return StatsDocument();
    };

    QJsonParseError parseError;
    // Raw data: no copy of an answer that may be tens of megabytes; the parser copies what it keeps.
    const QJsonDocument parsed =
        QJsonDocument::fromJson(QByteArray::fromRawData(json.data(), json.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(u"not JSON: "_s + parseError.errorString() + u" at byte "_s
                    + QString::number(parseError.offset));
    if (!parsed.isObject())
        return fail(parsed.isArray() ? u"the document is an array, not an object"_s
                                     : u"the document is not an object"_s);
    const QJsonObject root = parsed.object();

    const QJsonValue timestamp = root.value("timestamp"_L1);
    if (!timestamp.isDouble())
        return fail(wrongType(u"\"timestamp\""_s, timestamp, u"a number"_s));
    document.m_timestamp = timestamp.toDouble();
    if (!(document.m_timestamp > 0))
        return fail(u"\"timestamp\" is "_s + QString::number(document.m_timestamp)
                    + u", not a time after 1970"_s);

    const QJsonValue processes = root.value("processes"_L1);
    if (processes.isObject()) {
        document.m_hasProcesses = true;
        const QJsonObject byPid = processes.toObject();
        document.m_processes.reserve(byPid.size());
        for (auto it = byPid.constBegin(); it != byPid.constEnd(); ++it) {
            const QString where = u"process \""_s + it.key() + u'"';
            Process process;
            bool isNumber = false;
            process.pid = it.key().toLongLong(&isNumber);
            if (!isNumber || process.pid <= 0)
                return fail(where + u" is not named by a pid"_s);
            if (!it.value().isObject())
                return fail(wrongType(where, it.value(), u"an object"_s));
            const QJsonObject entry = it.value().toObject();
            if (!readStats(entry.value("stats"_L1), u"\"stats\" of "_s + where, document.m_totals,
                           process.stats, document.m_leftOut, problem))
                return fail(problem);
            if (!readKinds(entry.value("kinds"_L1), u"\"kinds\" of "_s + where, process.stats,
                           process.kinds, problem))
                return fail(problem);
            if (!readWindows(entry.value("windows"_L1), u"\"windows\" of "_s + where, false,
                             process.windows, problem))
                return fail(problem);
            process.rejectedLines = entry.value("rejectedLines"_L1).toInteger();
            for (auto stat = process.stats.constBegin(); stat != process.stats.constEnd(); ++stat) {
                const Statvent::StatKind kind =
                    process.kinds.value(stat.key(), Statvent::StatKind::Untyped);
                const auto total = document.m_totals.find(stat.key());
                if (total == document.m_totals.end()) {
                    document.m_totals.insert(stat.key(), stat.value());
                    document.m_totalKinds.insert(stat.key(), kind);
                } else {
                    *total += stat.value();
                    Statvent::StatKind &totalKind = document.m_totalKinds[stat.key()];
                    totalKind = Statvent::combinedKind(totalKind, kind);
                }
            }
            document.m_processes.append(std::move(process));
        }
        std::sort(document.m_processes.begin(), document.m_processes.end(),
                  [](const Process &a, const Process &b) { return a.pid < b.pid; });
        document.combineWindows();
        document.m_processCount = int(document.m_processes.size());
        const QJsonValue unanswered = root.value("unanswered"_L1);
        if (!unanswered.isUndefined() && !unanswered.isArray())
            return fail(wrongType(u"\"unanswered\""_s, unanswered, u"an array of pids"_s));
        document.m_unansweredCount = int(unanswered.toArray().size());
    } else if (root.contains("stats"_L1)) {
        if (!readStats(root.value("stats"_L1), u"\"stats\""_s, document.m_totals, document.m_totals,
                       document.m_leftOut, problem))
            return fail(problem);
        if (!readWindows(root.value("windows"_L1), u"\"windows\""_s, true, document.m_totalWindows,
                         problem))
            return fail(problem);
        const QJsonValue count = root.value("processes"_L1);
        if (!count.isUndefined() && !count.isDouble())
            return fail(wrongType(u"\"processes\""_s, count, u"a number or an object"_s));
        document.m_processCount = count.isDouble() ? count.toInt(-1) : -1;
        document.m_unansweredCount = root.value("unanswered"_L1).toInt();
    } else {
        return fail(processes.isUndefined()
                        ? u"the document has neither \"stats\" nor \"processes\""_s
                        : wrongType(u"\"processes\""_s, processes, u"an object"_s));
    }
    document.m_valid = true;
    return document;
}

} // namespace StatventDashboard
