// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/aggregates.h>
#include <statvent/snapshotformat.h>

#include <QSet>
#include <QTest>

#include <limits>

using Statvent::Aggregates;
using Statvent::Histogram;
using Statvent::PipeFormat;
using Statvent::SnapshotFormat;
using Statvent::StatEntry;
using Statvent::StatKind;
using Statvent::StatValue;
using Statvent::TypedSnapshot;
using Statvent::WindowStats;
using Error = Statvent::SnapshotFormat::Error;
using Rejections = QList<QPair<qsizetype, Error>>;

Q_DECLARE_METATYPE(Statvent::TypedSnapshot)
Q_DECLARE_METATYPE(Statvent::SnapshotFormat::Error)

namespace {

constexpr QByteArrayView Header = "statvent-snapshot 1\n";

Rejections rejectionsOf(const SnapshotFormat::ParseResult &result)
{
    Rejections out;
    for (const SnapshotFormat::Rejection &rejection : result.rejections)
        out.append({rejection.lineNumber, rejection.error});
    return out;
}

StatEntry statistic(const QByteArray &name, const StatValue &value, StatKind kind)
{
    return StatEntry{name, value, kind};
}

//! How many rows of \a now hold the very bytes of the name of \a before's row at their place.
template<typename Row>
int sharedNames(const QList<Row> &now, const QList<Row> &before)
{
    int shared = 0;
    for (qsizetype i = 0; i < std::min(now.size(), before.size()); ++i)
        shared += now[i].name.constData() == before[i].name.constData();
    return shared;
}

//! What differs between \a expected and \a actual, empty when they are the same.
QString differenceOf(const SnapshotFormat::ParseResult &expected,
                     const SnapshotFormat::ParseResult &actual)
{
    if (actual.complete != expected.complete || actual.error != expected.error)
        return QStringLiteral("complete or error");
    if (actual.version != expected.version)
        return QStringLiteral("version");
    if (actual.rejectedLines != expected.rejectedLines
        || rejectionsOf(actual) != rejectionsOf(expected))
        return QStringLiteral("rejections");
    if (actual.skippedLines != expected.skippedLines)
        return QStringLiteral("skipped lines");
    if (!(actual.snapshot == expected.snapshot))
        return QStringLiteral("snapshot");
    return {};
}

/*!
 * parse(), checking on the way that a SnapshotFormat::Reader fed \a text in pieces gives the
 * same result: pieces of every size up to 64 bytes, and a few larger ones.
 */
SnapshotFormat::ParseResult parseAlsoInPieces(QByteArrayView text, const char *file, int line)
{
    SnapshotFormat::ParseResult whole = SnapshotFormat::parse(text);
    QList<qsizetype> pieceSizes;
    for (qsizetype size = 1; size <= std::min<qsizetype>(text.size(), 64); ++size)
        pieceSizes.append(size);
    for (const qsizetype size : {qsizetype(4099), qsizetype(65536), text.size()}) {
        if (size > 64 && size <= text.size())
            pieceSizes.append(size);
    }
    for (const qsizetype pieceSize : std::as_const(pieceSizes)) {
        SnapshotFormat::Reader reader;
        for (qsizetype at = 0; at < text.size(); at += pieceSize)
            reader.feed(text.sliced(at, std::min(pieceSize, text.size() - at)));
        const QString difference = reader.bytesRead() != text.size()
            ? QStringLiteral("byte count")
            : differenceOf(whole, reader.finish());
        if (!difference.isEmpty()) {
            QTest::qFail(qPrintable(QStringLiteral("fed in pieces of %1 bytes, the reader's %2 "
                                                   "differs from parse()'s")
                                        .arg(pieceSize)
                                        .arg(difference)),
                         file, line);
            break;
        }
    }
    return whole;
}

//! Appends a window and its rows, named as the registry names them (Aggregates::formatName()).
void addWindow(TypedSnapshot &snapshot, const QByteArray &name, qint64 count, double sum,
               const QList<QPair<QByteArray, StatValue>> &rows)
{
    WindowStats window{name, count, sum, snapshot.stats.size(), rows.size(), {}, {}};
    for (const auto &[label, value] : rows) {
        window.labels.append(label);
        snapshot.stats.append(
            statistic(Aggregates::formatName(name, label), value, StatKind::Window));
    }
    snapshot.windows.append(window);
}

//! The samples of the documented window: median 2.5, 95th 4.75, 99th 4.75, 100th 29.75, mean 2.505.
QList<double> exampleSamples()
{
    QList<double> samples;
    samples += QList<double>(40, 1.0);
    samples += QList<double>(10, 2.5);
    samples += QList<double>(44, 3.0);
    samples += QList<double>(5, 4.75);
    samples.append(29.75);
    return samples;
}

//! The example of the documentation: every record type.
TypedSnapshot exampleSnapshot()
{
    TypedSnapshot snapshot;
    snapshot.stats.append(statistic("requests", 42, StatKind::Counter));
    snapshot.stats.append(statistic("queue.length", 3, StatKind::Gauge));
    snapshot.stats.append(statistic("last.reload", 1732492800.5, StatKind::Gauge));
    addWindow(snapshot, "latency.{0}", 100, 250.5,
              {{"median", 2.5}, {"95th", 4.75}, {"mean", 2.505}});
    snapshot.windows.last().histogram = Histogram::fromSamples(exampleSamples());
    snapshot.stats.append(statistic("from a fifo: x", -7, StatKind::Untyped));
    return snapshot;
}

constexpr QByteArrayView ExampleText = "statvent-snapshot 1\n"
                                       "counter 42 requests\n"
                                       "gauge 3 queue.length\n"
                                       "gauge 1732492800.5 last.reload\n"
                                       "window 100 250.5 latency.{0}\n"
                                       "row median 2.5 latency.median\n"
                                       "row 95th 4.75 latency.95th\n"
                                       "row mean 2.505 latency.mean\n"
                                       "buckets 4 0 1.0 29.75 0:40 22:10 26:44 36:5 79:1\n"
                                       "untyped -7 from a fifo: x\n"
                                       "end 5\n";

} // namespace

namespace Statvent {

// Found by QCOMPARE through argument-dependent lookup.
char *toString(SnapshotFormat::Error error)
{
    const QLatin1StringView description = SnapshotFormat::describe(error);
    return qstrdup(QByteArray(description.data(), description.size()).constData());
}

char *toString(const TypedSnapshot &snapshot)
{
    // The socket text says it all, kinds and windows included.
    return qstrdup(SnapshotFormat::serialize(snapshot).constData());
}

} // namespace Statvent

class tst_SnapshotFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void serializeWritesTheDocumentedText();
    void parsesTheExampleOfTheArchitectureDocument();
    void roundTrip_data();
    void roundTrip();
    void roundTripKeepsValueTypes();
    void truncatedTextsAreNeverComplete_data();
    void truncatedTextsAreNeverComplete();
    void header_data();
    void header();
    void unknownRecordTypesAreSkipped();
    void malformedLines_data();
    void malformedLines();
    void rowsOfARejectedWindowAreRejected();
    void endCountMustMatch_data();
    void endCountMustMatch();
    void linesAfterTheEndAreRejected_data();
    void linesAfterTheEndAreRejected();
    void crlfAndEmptyLines();
    void rejectionsAreCountedButReportedUpToALimit();
    void windowsShareTheirLabels();
    void isValidLabel_data();
    void isValidLabel();
    void describeNamesEveryError();
    void bucketsRecords_data();
    void bucketsRecords();
    void largeHistogramsAreSplitIntoBoundedRecords();
    void aRejectedBucketsRecordDropsTheWholeHistogram();
    void readerCanRejectRepeatedNames();
    void readerRejectsRepeatedNamesAmongThousands();
    void readerKeepsOnlyTheBeginningOfALongLine();
    void readerGivenThePreviousTextReadsTheSame_data();
    void readerGivenThePreviousTextReadsTheSame();
};

void tst_SnapshotFormat::serializeWritesTheDocumentedText()
{
    QCOMPARE(SnapshotFormat::serialize(exampleSnapshot()), ExampleText.toByteArray());
    QCOMPARE(SnapshotFormat::serialize({}), QByteArray("statvent-snapshot 1\nend 0\n"));
}

void tst_SnapshotFormat::parsesTheExampleOfTheArchitectureDocument()
{
    const QByteArray text = "statvent-snapshot 1\n"
                            "counter 42 requests\n"
                            "gauge 3 queue.length\n"
                            "gauge 1732492800.5 last.reload\n"
                            "window 100 250.5 latency.{0}\n"
                            "row median 2.5 latency.median\n"
                            "row 95th 4.75 latency.95th\n"
                            "row 99th 4.75 latency.99th\n"
                            "row 100th 29.75 latency.100th\n"
                            "row mean 2.505 latency.mean\n"
                            "buckets 4 0 1.0 29.75 0:40 22:10 26:44 36:5 79:1\n"
                            "end 4\n";
    TypedSnapshot expected;
    expected.stats.append(statistic("requests", 42, StatKind::Counter));
    expected.stats.append(statistic("queue.length", 3, StatKind::Gauge));
    expected.stats.append(statistic("last.reload", 1732492800.5, StatKind::Gauge));
    addWindow(expected, "latency.{0}", 100, 250.5,
              {{"median", 2.5}, {"95th", 4.75}, {"99th", 4.75}, {"100th", 29.75}, {"mean", 2.505}});
    expected.windows.last().histogram = Histogram::fromSamples(exampleSamples());
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QVERIFY(result.complete);
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.snapshot, expected);
    QCOMPARE(SnapshotFormat::serialize(expected), text);
}

void tst_SnapshotFormat::roundTrip_data()
{
    QTest::addColumn<TypedSnapshot>("snapshot");

    const auto one = [](const QByteArray &name, const StatValue &value, StatKind kind) {
        TypedSnapshot snapshot;
        snapshot.stats.append(statistic(name, value, kind));
        return snapshot;
    };

    QTest::newRow("empty") << TypedSnapshot();
    QTest::newRow("documented example") << exampleSnapshot();
    QTest::newRow("counter") << one("requests", 42, StatKind::Counter);
    QTest::newRow("gauge") << one("temperature", -3.25, StatKind::Gauge);
    QTest::newRow("untyped") << one("x", 7, StatKind::Untyped);
    QTest::newRow("INT64_MIN") << one("x", std::numeric_limits<qint64>::min(), StatKind::Gauge);
    QTest::newRow("INT64_MAX") << one("x", std::numeric_limits<qint64>::max(), StatKind::Counter);
    QTest::newRow("whole real") << one("x", 3.0, StatKind::Gauge);
    QTest::newRow("largest double")
        << one("x", std::numeric_limits<double>::max(), StatKind::Gauge);
    QTest::newRow("subnormal") << one("x", std::numeric_limits<double>::denorm_min(),
                                      StatKind::Gauge);
    QTest::newRow("name with spaces") << one("My Nice Stat", 1, StatKind::Counter);
    QTest::newRow("name beginning with spaces") << one("  indented ", 1, StatKind::Counter);
    QTest::newRow("name of one space") << one(" ", 1, StatKind::Counter);
    QTest::newRow("name with colons") << one("a:b: 3", 1, StatKind::Gauge);
    QTest::newRow("name like a record") << one("end 0", 1, StatKind::Gauge);
    QTest::newRow("UTF-8 name") << one("délai.médian ⏱", 1, StatKind::Gauge);
    QTest::newRow("invalid UTF-8 name") << one("bad\xff\xfe\xc3(", 1, StatKind::Gauge);
    static constexpr char controlBytes[] = "tab\there\0nul\x1b"; // a NUL inside: sizeof, not strlen
    QTest::newRow("control bytes in name")
        << one(QByteArray(controlBytes, sizeof(controlBytes) - 1), 1, StatKind::Gauge);
    QTest::newRow("longest name") << one(QByteArray(PipeFormat::MaxNameLength, 'n'), 1,
                                         StatKind::Counter);

    TypedSnapshot emptyWindow;
    addWindow(emptyWindow, "latency.{0}", 0, 0.0, {});
    QTest::newRow("window without rows") << emptyWindow;

    TypedSnapshot windows;
    windows.stats.append(statistic("before", 1, StatKind::Counter));
    addWindow(windows, "a.{0}", 3, 6.0, {{"median", 2.0}, {"mean", 2.0}});
    addWindow(windows, "b {0} with spaces", 0, 0.0, {});
    addWindow(windows, "c:{0}", 2, -1e-9, {{"99.9th", -1e-9}, {"mean", -5e-10}});
    windows.stats.append(statistic("after", 2.5, StatKind::Gauge));
    addWindow(windows, "last", 1, 1.0, {{"100th", 1.0}});
    QTest::newRow("windows next to each other and to statistics") << windows;

    // percentileLabel() of the smallest subnormal is the longest label a registry can make.
    TypedSnapshot longLabel;
    const QByteArray label = Aggregates::percentileLabel(std::numeric_limits<double>::denorm_min());
    QVERIFY(label.size() > 300 && SnapshotFormat::isValidLabel(label));
    addWindow(longLabel, QByteArray(PipeFormat::MaxNameLength - label.size() - 1, 'w'), 1, 0.5,
              {{label, 0.5}});
    QTest::newRow("longest label and name") << longLabel;

    const auto withHistogram = [](const QList<double> &samples) {
        TypedSnapshot snapshot;
        const Histogram histogram = Histogram::fromSamples(samples);
        addWindow(snapshot, "h.{0}", histogram.count(), histogram.sum(),
                  {{"median", histogram.percentile(50)}, {"mean", histogram.mean()}});
        snapshot.windows.last().histogram = histogram;
        snapshot.stats.append(statistic("after", 1, StatKind::Counter));
        return snapshot;
    };
    QTest::newRow("histogram of an empty window") << withHistogram({});
    QTest::newRow("histogram with zeros and negatives")
        << withHistogram({-0.0, 0.0, -3.5, -1e-3, 2.0, 1e6, -1e6});
    QTest::newRow("histogram with underflow and overflow") << withHistogram(
        {std::numeric_limits<double>::denorm_min(), -1e300, std::numeric_limits<double>::max()});
    QList<double> wide; // 300 buckets: three records
    for (int i = 0; i < 300; ++i)
        wide.append(std::ldexp(1.0, i / 16 - 8) * Histogram::upperBound(i % 16) * (i % 2 ? -1 : 1));
    QTest::newRow("histogram of 300 buckets") << withHistogram(wide);
}

void tst_SnapshotFormat::roundTrip()
{
    QFETCH(TypedSnapshot, snapshot);
    const QByteArray text = SnapshotFormat::serialize(snapshot);
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QCOMPARE(result.error, Error::NoError);
    QVERIFY(result.complete);
    QCOMPARE(result.version, SnapshotFormat::Version);
    QCOMPARE(rejectionsOf(result), Rejections());
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.skippedLines, 0);
    QCOMPARE(result.snapshot, snapshot);
    // One line per statistic and per window, plus the header and the end record, plus the
    // buckets records of the histograms: one per MaxBucketsPerRecord buckets, at least one.
    qsizetype bucketsRecords = 0;
    for (const WindowStats &window : snapshot.windows) {
        if (!window.histogram)
            continue;
        const qsizetype buckets =
            window.histogram->positiveBuckets().size() + window.histogram->negativeBuckets().size();
        bucketsRecords += std::max<qsizetype>(1,
                                              (buckets + SnapshotFormat::MaxBucketsPerRecord - 1)
                                                  / SnapshotFormat::MaxBucketsPerRecord);
    }
    QCOMPARE(text.count('\n'),
             snapshot.stats.size() + snapshot.windows.size() + 2 + bucketsRecords);
    QCOMPARE(text.count("\nbuckets "), bucketsRecords);
}

void tst_SnapshotFormat::roundTripKeepsValueTypes()
{
    // StatValue's == tells 3 from 3.0; -0.0 keeps its sign in the text.
    TypedSnapshot snapshot;
    snapshot.stats = {statistic("int", 3, StatKind::Gauge), statistic("real", 3.0, StatKind::Gauge),
                      statistic("negative zero", -0.0, StatKind::Gauge)};
    const SnapshotFormat::ParseResult result =
        parseAlsoInPieces(SnapshotFormat::serialize(snapshot), __FILE__, __LINE__);
    QCOMPARE(result.snapshot.stats.size(), 3);
    QVERIFY(result.snapshot.stats.at(0).value.isInteger());
    QVERIFY(result.snapshot.stats.at(1).value.isReal());
    QVERIFY(std::signbit(result.snapshot.stats.at(2).value.toReal()));
}

void tst_SnapshotFormat::truncatedTextsAreNeverComplete_data()
{
    QTest::addColumn<TypedSnapshot>("snapshot");
    QTest::newRow("documented example") << exampleSnapshot();
    QTest::newRow("empty") << TypedSnapshot();
    TypedSnapshot counts;
    // Counts of 10 and more: a cut end record ("end 1") must not match either.
    for (int i = 0; i < 11; ++i)
        counts.stats.append(statistic("s" + QByteArray::number(i), i, StatKind::Counter));
    QTest::newRow("eleven records") << counts;
}

void tst_SnapshotFormat::truncatedTextsAreNeverComplete()
{
    QFETCH(TypedSnapshot, snapshot);
    const QByteArray text = SnapshotFormat::serialize(snapshot);
    QVERIFY(parseAlsoInPieces(text, __FILE__, __LINE__).complete);
    for (qsizetype length = 0; length < text.size(); ++length) {
        const SnapshotFormat::ParseResult result =
            parseAlsoInPieces(QByteArrayView(text).first(length), __FILE__, __LINE__);
        QVERIFY2(!result.complete,
                 qPrintable(QStringLiteral("complete when cut at byte %1").arg(length)));
        QVERIFY(result.error == Error::NoHeader || result.error == Error::NoEnd
                || result.error == Error::CountMismatch);
        QCOMPARE(result.rejectedLines, 0);
        // What is read is a prefix of the snapshot: never a cut name or value.
        const qsizetype rows = result.snapshot.stats.size();
        QCOMPARE(result.snapshot.stats, snapshot.stats.first(rows));
    }
}

void tst_SnapshotFormat::header_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Error>("error");
    QTest::addColumn<qint64>("version");

    QTest::newRow("empty text") << QByteArray() << Error::NoHeader << qint64(0);
    QTest::newRow("header without LF")
        << QByteArray("statvent-snapshot 1") << Error::NoHeader << qint64(0);
    QTest::newRow("FIFO text") << QByteArray("requests: 42\n") << Error::NoHeader << qint64(0);
    QTest::newRow("no version") << QByteArray("statvent-snapshot\nend 0\n") << Error::NoHeader
                                << qint64(0);
    QTest::newRow("empty version")
        << QByteArray("statvent-snapshot \nend 0\n") << Error::NoHeader << qint64(0);
    QTest::newRow("version 0") << QByteArray("statvent-snapshot 0\nend 0\n") << Error::NoHeader
                               << qint64(0);
    QTest::newRow("negative version")
        << QByteArray("statvent-snapshot -1\nend 0\n") << Error::NoHeader << qint64(0);
    QTest::newRow("version with a sign")
        << QByteArray("statvent-snapshot +1\nend 0\n") << Error::NoHeader << qint64(0);
    QTest::newRow("version and more")
        << QByteArray("statvent-snapshot 1 x\nend 0\n") << Error::NoHeader << qint64(0);
    QTest::newRow("huge version") << QByteArray("statvent-snapshot 99999999999999999999\nend 0\n")
                                  << Error::NoHeader << qint64(0);
    QTest::newRow("blank line first")
        << QByteArray("\nstatvent-snapshot 1\nend 0\n") << Error::NoHeader << qint64(0);
    QTest::newRow("version 2") << QByteArray("statvent-snapshot 2\ncounter 1 x\nend 1\n")
                               << Error::UnknownVersion << qint64(2);
    QTest::newRow("version 123456789012") << QByteArray("statvent-snapshot 123456789012\nend 0\n")
                                          << Error::UnknownVersion << qint64(123456789012);
    QTest::newRow("version 1") << QByteArray("statvent-snapshot 1\nend 0\n") << Error::NoError
                               << qint64(1);
    QTest::newRow("version 1, CRLF")
        << QByteArray("statvent-snapshot 1\r\nend 0\r\n") << Error::NoError << qint64(1);
}

void tst_SnapshotFormat::header()
{
    QFETCH(QByteArray, text);
    QFETCH(Error, error);
    QFETCH(qint64, version);
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QCOMPARE(result.error, error);
    QCOMPARE(result.complete, error == Error::NoError);
    QCOMPARE(result.version, version);
    QCOMPARE(result.rejectedLines, 0);
    if (error != Error::NoError)
        QCOMPARE(result.snapshot, TypedSnapshot()); // nothing is read from a text of another format
}

void tst_SnapshotFormat::unknownRecordTypesAreSkipped()
{
    // What a later writer of version 1 may add: a histogram after a window's rows, anything else.
    const QByteArray text = "statvent-snapshot 1\n"
                            "window 3 6.0 latency.{0}\n"
                            "row median 2.0 latency.median\n"
                            "exemplars 0:1 4:2 latency.{0}\n"
                            "row mean 2.0 latency.mean\n"
                            "pid 123\n"
                            "x\n"
                            "Counter 1 capitalised\n"
                            "counter 5 requests\n"
                            "end 2\n";
    TypedSnapshot expected;
    addWindow(expected, "latency.{0}", 3, 6.0, {{"median", 2.0}, {"mean", 2.0}});
    expected.stats.append(statistic("requests", 5, StatKind::Counter));

    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QVERIFY(result.complete);
    QCOMPARE(result.skippedLines, 4);
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.snapshot, expected);
}

void tst_SnapshotFormat::malformedLines_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<Error>("error");
    QTest::addColumn<bool>("counted"); // by the end record

    const QByteArray longName(PipeFormat::MaxNameLength + 1, 'n');
    QTest::newRow("counter alone") << QByteArray("counter") << Error::MissingField << true;
    QTest::newRow("counter without name")
        << QByteArray("counter 42") << Error::MissingField << true;
    QTest::newRow("counter with empty name")
        << QByteArray("counter 42 ") << Error::MissingField << true;
    QTest::newRow("counter with empty value")
        << QByteArray("counter  x") << Error::MissingField << true;
    QTest::newRow("counter of text") << QByteArray("counter abc x") << Error::NotANumber << true;
    QTest::newRow("FIFO line in a record") << QByteArray("gauge x: 5") << Error::NotANumber << true;
    QTest::newRow("gauge nan") << QByteArray("gauge nan x") << Error::NonFiniteValue << true;
    QTest::newRow("gauge too large")
        << QByteArray("gauge 1e999 x") << Error::NonFiniteValue << true;
    QTest::newRow("untyped of text") << QByteArray("untyped 1x x") << Error::NotANumber << true;
    QTest::newRow("name too long")
        << QByteArray("counter 1 " + longName) << Error::NameTooLong << true;
    QTest::newRow("line too long")
        << QByteArray("gauge 1 " + QByteArray(SnapshotFormat::MaxLineLength, 'n'))
        << Error::LineTooLong << true;
    QTest::newRow("CR in a name") << QByteArray("counter 1 a\rb") << Error::CarriageReturn << true;
    QTest::newRow("CR ending a name")
        << QByteArray("counter 1 a\r\r") << Error::CarriageReturn << true;
    QTest::newRow("window negative count")
        << QByteArray("window -1 0.0 w") << Error::BadCount << true;
    QTest::newRow("window real count") << QByteArray("window 1.5 0.0 w") << Error::BadCount << true;
    QTest::newRow("window count with sign")
        << QByteArray("window +1 0.0 w") << Error::BadCount << true;
    QTest::newRow("window sum of text")
        << QByteArray("window 3 abc w") << Error::NotANumber << true;
    QTest::newRow("window sum inf")
        << QByteArray("window 3 inf w") << Error::NonFiniteValue << true;
    QTest::newRow("window without name")
        << QByteArray("window 3 1.0") << Error::MissingField << true;
    QTest::newRow("row without window")
        << QByteArray("row median 1 x") << Error::RowOutsideWindow << false;
    QTest::newRow("end without count") << QByteArray("end") << Error::MissingField << false;
    QTest::newRow("end of text") << QByteArray("end x") << Error::BadCount << false;
    QTest::newRow("end negative") << QByteArray("end -1") << Error::BadCount << false;
}

void tst_SnapshotFormat::malformedLines()
{
    QFETCH(QByteArray, line);
    QFETCH(Error, error);
    QFETCH(bool, counted);
    // The line between two good records: it is rejected alone, and the text stays complete.
    const QByteArray text = Header.toByteArray() + "counter 1 a\n" + line + "\ngauge 2 b\nend "
        + QByteArray::number(counted ? 3 : 2) + '\n';
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QCOMPARE(rejectionsOf(result), Rejections({{3, error}}));
    QCOMPARE(result.rejectedLines, 1);
    QCOMPARE(result.error, Error::NoError);
    QVERIFY(result.complete);
    TypedSnapshot expected;
    expected.stats = {statistic("a", 1, StatKind::Counter), statistic("b", 2, StatKind::Gauge)};
    QCOMPARE(result.snapshot, expected);
}

void tst_SnapshotFormat::rowsOfARejectedWindowAreRejected()
{
    const QByteArray text = "statvent-snapshot 1\n"
                            "window x 1.0 w.{0}\n"
                            "row median 1.0 w.median\n"
                            "row mean 1.0 w.mean\n"
                            "window 1 1.0 v.{0}\n"
                            "row mean 1.0 v.mean\n"
                            "counter 1 c\n"
                            "row mean 1.0 stray\n"
                            "window 1 1.0 u.{0}\n"
                            "row "
        + QByteArray(SnapshotFormat::MaxLabelLength + 1, 'l')
        + " 1.0 u.long\n"
          "row 100th 1.0 u.100th\n"
          "row a\rb 1.0 u.cr\n"
          "end 4\n";
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QCOMPARE(rejectionsOf(result),
             Rejections({{2, Error::BadCount},
                         {3, Error::RowOutsideWindow},
                         {4, Error::RowOutsideWindow},
                         {8, Error::RowOutsideWindow},
                         {10, Error::LabelTooLong},
                         {12, Error::CarriageReturn}}));
    QVERIFY(result.complete);
    TypedSnapshot expected;
    addWindow(expected, "v.{0}", 1, 1.0, {{"mean", 1.0}});
    expected.stats.append(statistic("c", 1, StatKind::Counter));
    addWindow(expected, "u.{0}", 1, 1.0, {{"100th", 1.0}});
    QCOMPARE(result.snapshot, expected);
}

void tst_SnapshotFormat::endCountMustMatch_data()
{
    QTest::addColumn<QByteArray>("end");
    QTest::addColumn<bool>("complete");
    QTest::newRow("matching") << QByteArray("end 2\n") << true;
    QTest::newRow("one less") << QByteArray("end 1\n") << false;
    QTest::newRow("rows counted too") << QByteArray("end 3\n") << false;
    QTest::newRow("no LF") << QByteArray("end 2") << false;
    QTest::newRow("none") << QByteArray() << false;
}

void tst_SnapshotFormat::endCountMustMatch()
{
    QFETCH(QByteArray, end);
    QFETCH(bool, complete);
    const QByteArray text =
        Header.toByteArray() + "window 1 1.0 w\nrow mean 1.0 w.mean\ncounter 1 c\n" + end;
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QCOMPARE(result.complete, complete);
    QCOMPARE(result.error,
             complete                 ? Error::NoError
                 : end.endsWith('\n') ? Error::CountMismatch
                                      : Error::NoEnd);
    // The records are read either way, for whoever wants to show what came.
    QCOMPARE(result.snapshot.stats.size(), 2);
}

void tst_SnapshotFormat::linesAfterTheEndAreRejected_data()
{
    QTest::addColumn<QByteArray>("after");
    QTest::addColumn<qsizetype>("rejected");
    QTest::newRow("a record") << QByteArray("counter 1 late\n") << qsizetype(1);
    QTest::newRow("a second end") << QByteArray("end 0\n") << qsizetype(1);
    QTest::newRow("an unknown record") << QByteArray("buckets 1\n") << qsizetype(1);
    QTest::newRow("a line without LF") << QByteArray("cou") << qsizetype(1);
    QTest::newRow("two lines") << QByteArray("x\ny") << qsizetype(2);
    QTest::newRow("empty lines") << QByteArray("\n\r\n") << qsizetype(0);
}

void tst_SnapshotFormat::linesAfterTheEndAreRejected()
{
    QFETCH(QByteArray, after);
    QFETCH(qsizetype, rejected);
    const QByteArray text = Header.toByteArray() + "end 0\n" + after;
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    // The snapshot itself arrived whole: what follows is reported, and never read as statistics.
    QVERIFY(result.complete);
    QCOMPARE(result.rejectedLines, rejected);
    if (rejected > 0)
        QCOMPARE(result.rejections.constFirst().lineNumber, 3);
    for (const SnapshotFormat::Rejection &rejection : result.rejections)
        QCOMPARE(rejection.error, Error::AfterEnd);
    QCOMPARE(result.snapshot, TypedSnapshot());
}

void tst_SnapshotFormat::crlfAndEmptyLines()
{
    QByteArray text = SnapshotFormat::serialize(exampleSnapshot());
    text.replace("\n", "\r\n\n");
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QVERIFY(result.complete);
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.skippedLines, 0);
    QCOMPARE(result.snapshot, exampleSnapshot());
}

void tst_SnapshotFormat::rejectionsAreCountedButReportedUpToALimit()
{
    QByteArray text = Header.toByteArray();
    for (int i = 0; i < 40; ++i)
        text += "gauge bad x\n";
    text += "end 40\n";
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QVERIFY(result.complete);
    QCOMPARE(result.rejectedLines, 40);
    QCOMPARE(result.rejections.size(), SnapshotFormat::MaxReportedRejections);
    QCOMPARE(result.rejections.constLast().lineNumber, SnapshotFormat::MaxReportedRejections + 1);
}

void tst_SnapshotFormat::windowsShareTheirLabels()
{
    // Parsing allocates no label per row when windows have the same labels as the one before.
    TypedSnapshot snapshot;
    for (int i = 0; i < 3; ++i)
        addWindow(snapshot, "w" + QByteArray::number(i), 1, 1.0,
                  {{"median", 1.0}, {"95th", 1.0}, {"mean", 1.0}});
    const SnapshotFormat::ParseResult result =
        parseAlsoInPieces(SnapshotFormat::serialize(snapshot), __FILE__, __LINE__);
    QCOMPARE(result.snapshot, snapshot);
    const QList<WindowStats> &windows = result.snapshot.windows;
    for (qsizetype row = 0; row < 3; ++row)
        QCOMPARE(windows.at(2).labels.at(row).constData(),
                 windows.at(0).labels.at(row).constData());
}

void tst_SnapshotFormat::isValidLabel_data()
{
    QTest::addColumn<QByteArray>("label");
    QTest::addColumn<bool>("valid");
    QTest::newRow("median") << QByteArray("median") << true;
    QTest::newRow("99.9th") << QByteArray("99.9th") << true;
    QTest::newRow("longest") << QByteArray(SnapshotFormat::MaxLabelLength, 'l') << true;
    QTest::newRow("too long") << QByteArray(SnapshotFormat::MaxLabelLength + 1, 'l') << false;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("space") << QByteArray("a b") << false;
    QTest::newRow("LF") << QByteArray("a\nb") << false;
    QTest::newRow("CR") << QByteArray("a\r") << false;
}

void tst_SnapshotFormat::isValidLabel()
{
    QFETCH(QByteArray, label);
    QFETCH(bool, valid);
    QCOMPARE(SnapshotFormat::isValidLabel(label), valid);
}

void tst_SnapshotFormat::describeNamesEveryError()
{
    QSet<QLatin1StringView> descriptions;
    for (int e = int(Error::NoError); e <= int(Error::HistogramCountMismatch); ++e) {
        const QLatin1StringView description = SnapshotFormat::describe(Error(e));
        QVERIFY(!description.isEmpty());
        QVERIFY(description != QLatin1StringView("unknown error"));
        descriptions.insert(description);
    }
    QCOMPARE(descriptions.size(), int(Error::HistogramCountMismatch) + 1);
}

void tst_SnapshotFormat::bucketsRecords_data()
{
    QTest::addColumn<QByteArray>("records"); // after `window 3 6.0 w` and its row
    QTest::addColumn<Rejections>("rejections"); // by line number
    QTest::addColumn<bool>("hasHistogram");

    const auto ok = [](qsizetype) { return Rejections(); };
    const auto at = [](qsizetype line, Error error) { return Rejections({{line, error}}); };
    QTest::newRow("none: an older writer") << QByteArray() << ok(0) << false;
    QTest::newRow("one record") << QByteArray("buckets 4 0 1.0 3.0 0:1 16:1 26:1\n") << ok(0)
                                << true;
    QTest::newRow("two records") << QByteArray(
        "buckets 4 1 -1.0 3.0 n0:1\nbuckets 4 0 -1.0 3.0 26:1\n")
                                 << ok(0) << true;
    QTest::newRow("row after the buckets")
        << QByteArray("buckets 4 0 1.0 3.0 0:1 16:1 26:1\nrow max 3.0 w.max\n") << ok(0) << true;
    QTest::newRow("too few buckets") << QByteArray("buckets 4 0 1.0 3.0 0:1 26:1\n")
                                     << at(4, Error::HistogramCountMismatch) << false;
    QTest::newRow("a record missing") << QByteArray("buckets 4 1 -1.0 3.0 n0:1\n")
                                      << at(4, Error::HistogramCountMismatch) << false;
    QTest::newRow("no fields") << QByteArray("buckets\n") << at(4, Error::MissingField) << false;
    QTest::newRow("no max") << QByteArray("buckets 4 0 1.0\n") << at(4, Error::MissingField)
                            << false;
    QTest::newRow("other scale") << QByteArray("buckets 3 0 1.0 3.0 0:1 8:1 13:1\n")
                                 << at(4, Error::UnknownScale) << false;
    QTest::newRow("scale of text")
        << QByteArray("buckets x 0 1.0 3.0 0:3\n") << at(4, Error::BadHistogram) << false;
    QTest::newRow("negative zero count")
        << QByteArray("buckets 4 -1 1.0 3.0 0:3\n") << at(4, Error::BadCount) << false;
    QTest::newRow("NaN min") << QByteArray("buckets 4 0 nan 3.0 0:3\n")
                             << at(4, Error::NonFiniteValue) << false;
    QTest::newRow("min above max")
        << QByteArray("buckets 4 0 3.0 1.0 0:3\n") << at(4, Error::BadHistogram) << false;
    QTest::newRow("bucket without colon")
        << QByteArray("buckets 4 0 1.0 3.0 0\n") << at(4, Error::BadHistogram) << false;
    QTest::newRow("bucket count 0")
        << QByteArray("buckets 4 0 1.0 3.0 0:3 5:0\n") << at(4, Error::BadHistogram) << false;
    QTest::newRow("buckets out of order")
        << QByteArray("buckets 4 0 1.0 3.0 16:1 0:1 26:1\n") << at(4, Error::BadHistogram) << false;
    QTest::newRow("index out of range")
        << QByteArray("buckets 4 0 1.0 3.0 1026:3\n") << at(4, Error::BadHistogram) << false;
    QTest::newRow("index beyond int")
        << QByteArray("buckets 4 0 1.0 3.0 99999999999:3\n") << at(4, Error::BadHistogram) << false;
    QTest::newRow("two spaces") << QByteArray("buckets 4 0 1.0 3.0 0:1  16:2\n")
                                << at(4, Error::BadHistogram) << false;
    QTest::newRow("index with plus")
        << QByteArray("buckets 4 0 1.0 3.0 +0:3\n") << at(4, Error::BadHistogram) << false;
}

void tst_SnapshotFormat::bucketsRecords()
{
    QFETCH(QByteArray, records);
    QFETCH(Rejections, rejections);
    QFETCH(bool, hasHistogram);
    const QByteArray text = Header.toByteArray() + "window 3 6.0 w\nrow mean 2.0 w.mean\n" + records
        + "counter 1 c\nend 2\n";
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QVERIFY(result.complete);
    QCOMPARE(rejectionsOf(result), rejections);
    QCOMPARE(result.skippedLines, 0);
    // The rest of the snapshot is read either way.
    QCOMPARE(result.snapshot.stats.size(), 2 + records.count("row "));
    QCOMPARE(result.snapshot.windows.size(), 1);
    const WindowStats &window = result.snapshot.windows.constFirst();
    QCOMPARE(window.histogram.has_value(), hasHistogram);
    if (hasHistogram) {
        QCOMPARE(window.histogram->count(), 3);
        QCOMPARE(window.histogram->sum(), 6.0);
        QCOMPARE(window.histogram->max(), 3.0);
        QCOMPARE(window.histogram->percentile(100), 3.0);
    }
}

void tst_SnapshotFormat::largeHistogramsAreSplitIntoBoundedRecords()
{
    // A window whose samples each fill a bucket of their own: every bucket there is.
    QList<double> samples;
    for (int i = Histogram::UnderflowIndex; i <= Histogram::OverflowIndex; ++i) {
        samples.append(Histogram::upperBound(i) == std::numeric_limits<double>::max()
                           ? 1e300
                           : Histogram::upperBound(i));
        samples.append(-samples.constLast());
    }
    const Histogram histogram = Histogram::fromSamples(samples);
    const qsizetype buckets =
        histogram.positiveBuckets().size() + histogram.negativeBuckets().size();
    QCOMPARE(buckets, 2 * (Histogram::OverflowIndex - Histogram::UnderflowIndex + 1));
    TypedSnapshot snapshot;
    addWindow(snapshot, "w", histogram.count(), histogram.sum(), {});
    snapshot.windows.last().histogram = histogram;
    const QByteArray text = SnapshotFormat::serialize(snapshot);
    const QList<QByteArray> lines = text.split('\n');
    const qsizetype records =
        std::count_if(lines.cbegin(), lines.cend(),
                      [](const QByteArray &line) { return line.startsWith("buckets "); });
    QCOMPARE(records,
             (buckets + SnapshotFormat::MaxBucketsPerRecord - 1)
                 / SnapshotFormat::MaxBucketsPerRecord);
    for (const QByteArray &line : lines)
        QVERIFY(line.size() <= SnapshotFormat::MaxLineLength);
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QVERIFY(result.complete);
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.snapshot, snapshot);
}

void tst_SnapshotFormat::aRejectedBucketsRecordDropsTheWholeHistogram()
{
    // Merged without the bad record, the histogram would count too few samples; with the
    // records after it, it would still be wrong: the window keeps no histogram.
    const QByteArray text = "statvent-snapshot 1\n"
                            "window 3 6.0 w\n"
                            "buckets 4 0 1.0 3.0 0:1\n"
                            "buckets 4 0 1.0 3.0 16:x\n"
                            "buckets 4 0 1.0 3.0 16:1 26:1\n"
                            "window 1 1.0 v\n"
                            "buckets 4 0 1.0 1.0 0:1\n"
                            "buckets 4 0 1.0 1.0\n"
                            "end 2\n";
    const SnapshotFormat::ParseResult result = parseAlsoInPieces(text, __FILE__, __LINE__);
    QVERIFY(result.complete);
    QCOMPARE(rejectionsOf(result), Rejections({{4, Error::BadHistogram}}));
    QCOMPARE(result.snapshot.windows.size(), 2);
    QVERIFY(!result.snapshot.windows.at(0).histogram);
    QVERIFY(result.snapshot.windows.at(1).histogram);
    QCOMPARE(result.snapshot.windows.at(1).histogram->count(), 1);
}

void tst_SnapshotFormat::readerCanRejectRepeatedNames()
{
    const QByteArray text = "statvent-snapshot 1\n"
                            "counter 1 c\n"
                            "gauge 2 c\n"
                            "window 1 1.0 w.{0}\n"
                            "row median 1.0 w.median\n"
                            "row mean 1.0 c\n"
                            "row mean 1.0 w.mean\n"
                            "window 2 2.0 w.{0}\n"
                            "row median 2.0 v.median\n"
                            "untyped 3 u\n"
                            "untyped 4 u\n"
                            "end 6\n";
    SnapshotFormat::Reader reader(SnapshotFormat::Reader::RepeatedNames::Reject);
    reader.feed(text);
    const SnapshotFormat::ParseResult result = reader.finish();
    QVERIFY(result.complete);
    // The first of each name is kept; the rows of a rejected window have no window.
    QCOMPARE(rejectionsOf(result),
             Rejections({{3, Error::RepeatedName},
                         {6, Error::RepeatedName},
                         {8, Error::RepeatedName},
                         {9, Error::RowOutsideWindow},
                         {11, Error::RepeatedName}}));
    QCOMPARE(result.rejectedLines, 5);
    TypedSnapshot expected;
    expected.stats.append(statistic("c", 1, StatKind::Counter));
    addWindow(expected, "w.{0}", 1, 1.0, {{"median", 1.0}, {"mean", 1.0}});
    expected.stats.append(statistic("u", 3, StatKind::Untyped));
    QCOMPARE(result.snapshot, expected);

    // parse() keeps them all.
    QCOMPARE(parseAlsoInPieces(text, __FILE__, __LINE__).snapshot.stats.size(), 8);
}

void tst_SnapshotFormat::readerRejectsRepeatedNamesAmongThousands()
{
    // The first piece holds ten lines, so the reader's index of names, sized from it, has to
    // grow while the names it holds stay found.
    constexpr int Count = 5000;
    QByteArray text = "statvent-snapshot 1\n";
    for (int i = 0; i < Count; ++i)
        text += "counter " + QByteArray::number(i) + " n." + QByteArray::number(i) + '\n';
    text += "gauge 1 n.17\nwindow 1 1.0 w\nrow max 1.0 n.4999\nwindow 1 1.0 w\nend "
        + QByteArray::number(Count + 3) + '\n';
    SnapshotFormat::Reader reader(SnapshotFormat::Reader::RepeatedNames::Reject);
    const qsizetype firstPiece = text.indexOf("counter 9 ");
    reader.feed(QByteArrayView(text).first(firstPiece));
    reader.feed(QByteArrayView(text).sliced(firstPiece));
    const SnapshotFormat::ParseResult result = reader.finish();
    QVERIFY(result.complete);
    QCOMPARE(rejectionsOf(result),
             Rejections({{Count + 2, Error::RepeatedName},
                         {Count + 4, Error::RepeatedName},
                         {Count + 5, Error::RepeatedName}}));
    QCOMPARE(result.snapshot.stats.size(), Count);
    QCOMPARE(result.snapshot.windows.size(), 1);
}

void tst_SnapshotFormat::readerKeepsOnlyTheBeginningOfALongLine()
{
    SnapshotFormat::Reader reader;
    reader.feed("statvent-snapshot 1\ncounter 1 ");
    // A line without end is not kept whole: what a reader holds is bounded, whatever it is fed.
    const QByteArray piece(1024 * 1024, 'n');
    for (int i = 0; i < 64; ++i)
        reader.feed(piece);
    reader.feed("\ngauge 2 g\nend 2\n");
    QCOMPARE(reader.bytesRead(), 20 + 10 + 64 * piece.size() + 17);
    const SnapshotFormat::ParseResult result = reader.finish();
    QVERIFY(result.complete);
    QCOMPARE(rejectionsOf(result), Rejections({{2, Error::LineTooLong}}));
    QCOMPARE(result.snapshot.stats, (Statvent::Snapshot{statistic("g", 2, StatKind::Gauge)}));
}

void tst_SnapshotFormat::readerGivenThePreviousTextReadsTheSame_data()
{
    QTest::addColumn<QByteArray>("previousBody");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("sharedStatNames");
    QTest::addColumn<int>("sharedWindowNames");

    const QByteArray body = "counter 1 a\n"
                            "gauge 2 b\n"
                            "window 2 3.0 w.{0}\n"
                            "row median 1.0 w.median\n"
                            "row mean 1.5 w.mean\n"
                            "untyped 4 u\n";
    QTest::newRow("the same names, other values")
        << body << QByteArray(body).replace(" 1 a", " 7 a").replace("2 b", "-3 b") << 5 << 1;
    QTest::newRow("a statistic added at the end") << body << body + "counter 5 new\n" << 5 << 1;
    QTest::newRow("a statistic added in the middle")
        << body << QByteArray(body).replace("gauge 2 b\n", "counter 0 new\ngauge 2 b\n") << 1 << 1;
    // Windows are followed apart from the statistics: their names are another set.
    QTest::newRow("a statistic gone")
        << body << QByteArray(body).replace("counter 1 a\n", "") << 0 << 1;
    QTest::newRow("names in another order")
        << QByteArray("counter 1 a\ncounter 2 b\ncounter 3 c\n")
        << QByteArray("counter 1 b\ncounter 2 a\ncounter 3 c\n") << 0 << 0;
    // Its names are the previous text's up to the repeat: the repeat must still be found.
    QTest::newRow("a name repeated after the previous names")
        << QByteArray("counter 1 a\ncounter 2 b\n")
        << QByteArray("counter 1 a\ncounter 2 b\ncounter 3 a\n") << 2 << 0;
    QTest::newRow("a name repeated among the previous names")
        << QByteArray("counter 1 a\ncounter 2 b\ncounter 3 c\n")
        << QByteArray("counter 1 a\ncounter 2 b\ngauge 3 a\ncounter 3 c\n") << 2 << 0;
    QTest::newRow("a window repeated")
        << QByteArray("window 1 1.0 w\nwindow 1 1.0 v\n")
        << QByteArray("window 1 1.0 w\nwindow 1 1.0 w\nwindow 1 1.0 v\n") << 0 << 1;
    QTest::newRow("nothing before") << QByteArray() << body << 0 << 0;
    QTest::newRow("nothing now") << body << QByteArray() << 0 << 0;
}

void tst_SnapshotFormat::readerGivenThePreviousTextReadsTheSame()
{
    QFETCH(QByteArray, previousBody);
    QFETCH(QByteArray, body);
    QFETCH(int, sharedStatNames);
    QFETCH(int, sharedWindowNames);

    const auto withEnd = [](const QByteArray &records) {
        QByteArray text = Header.toByteArray();
        text.append(records);
        // A window's rows belong to its record.
        const qsizetype count = records.count('\n') - records.count("row ");
        text.append("end ").append(QByteArray::number(count)).append('\n');
        return text;
    };
    const auto read = [](const QByteArray &text, const TypedSnapshot *previous) {
        SnapshotFormat::Reader reader(SnapshotFormat::Reader::RepeatedNames::Reject);
        if (previous)
            reader.setPrevious(*previous);
        reader.feed(text);
        return reader.finish();
    };
    const SnapshotFormat::ParseResult previous = read(withEnd(previousBody), nullptr);
    QVERIFY(previous.complete);
    const QByteArray text = withEnd(body);
    const SnapshotFormat::ParseResult alone = read(text, nullptr);
    const SnapshotFormat::ParseResult again = read(text, &previous.snapshot);
    QCOMPARE(differenceOf(alone, again), QString());
    QVERIFY(again.complete);

    // Shared: the very bytes of the previous name, not an equal copy.
    QCOMPARE(sharedNames(again.snapshot.stats, previous.snapshot.stats), sharedStatNames);
    QCOMPARE(sharedNames(again.snapshot.windows, previous.snapshot.windows), sharedWindowNames);
}

QTEST_GUILESS_MAIN(tst_SnapshotFormat)
#include "tst_snapshotformat.moc"
