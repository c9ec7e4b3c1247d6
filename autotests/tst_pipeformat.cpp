// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/pipeformat.h>

#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <charconv>
#include <cstring>
#include <limits>

using Statvent::PipeFormat;
using Statvent::Snapshot;
using Statvent::StatEntry;
using Statvent::StatValue;
using LineError = Statvent::PipeFormat::LineError;
using Rejections = QList<QPair<qsizetype, LineError>>;

namespace {

constexpr qint64 Int64Max = std::numeric_limits<qint64>::max();
constexpr qint64 Int64Min = std::numeric_limits<qint64>::min();

Rejections rejectionsOf(const PipeFormat::ParseResult &result)
{
    Rejections out;
    for (const PipeFormat::Rejection &rejection : result.rejections)
        out.append({rejection.lineNumber, rejection.error});
    return out;
}

QByteArray lineOf(QByteArrayView name, const StatValue &value)
{
    QByteArray line;
    PipeFormat::appendLine(line, name, value);
    return line;
}

double randomFiniteDouble(QRandomGenerator &random)
{
    // Random bit patterns cover every exponent, subnormals and negative zero included.
    for (;;) {
        const quint64 bits = random.generate64();
        double value;
        std::memcpy(&value, &bits, sizeof value);
        if (std::isfinite(value))
            return value;
    }
}

} // namespace

namespace Statvent {
// Found by QCOMPARE through argument-dependent lookup.
char *toString(PipeFormat::LineError error)
{
    const QLatin1StringView description = PipeFormat::describe(error);
    return qstrdup(QByteArray(description.data(), description.size()).constData());
}
} // namespace Statvent

class tst_PipeFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void appendValue_data();
    void appendValue();
    void realsOfFewDecimalsAreWrittenAsToChars();
    void appendLine();
    void serializeKeepsOrder();
    void roundTrip_data();
    void roundTrip();
    void roundTripOfRandomValues();
    void parseValue_data();
    void parseValue();
    void parse_data();
    void parse();
    void rejectionsAreCountedButReportedUpToALimit();
    void lineLengthLimit();
    void isValidName_data();
    void isValidName();
    void describeNamesEveryError();
    void sampleFiles_data();
    void sampleFiles();
    void largeSample();
};

void tst_PipeFormat::appendValue_data()
{
    QTest::addColumn<StatValue>("value");
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("zero") << StatValue(0) << QByteArray("0");
    QTest::newRow("int") << StatValue(42) << QByteArray("42");
    QTest::newRow("negative int") << StatValue(-12) << QByteArray("-12");
    QTest::newRow("INT64_MAX") << StatValue(Int64Max) << QByteArray("9223372036854775807");
    QTest::newRow("INT64_MIN") << StatValue(Int64Min) << QByteArray("-9223372036854775808");
    // Whole reals keep a point so that a reader does not take them for integers.
    QTest::newRow("3.0") << StatValue(3.0) << QByteArray("3.0");
    QTest::newRow("real zero") << StatValue(0.0) << QByteArray("0.0");
    QTest::newRow("negative zero") << StatValue(-0.0) << QByteArray("-0.0");
    QTest::newRow("100.0") << StatValue(100.0) << QByteArray("100.0");
    // The original printed 0.000000 here (its weakness 10).
    QTest::newRow("1e-09") << StatValue(1e-9) << QByteArray("1e-09");
    QTest::newRow("negative real") << StatValue(-0.25) << QByteArray("-0.25");
    QTest::newRow("0.1 shortest") << StatValue(0.1) << QByteArray("0.1");
    QTest::newRow("123.45 shortest") << StatValue(123.45) << QByteArray("123.45");
    QTest::newRow("timestamp") << StatValue(1732492800.5) << QByteArray("1732492800.5");
    QTest::newRow("1e16") << StatValue(1e16) << QByteArray("1e+16");
    QTest::newRow("2^63 as real") << StatValue(9223372036854775808.0)
                                  << QByteArray("9223372036854775808.0");
    QTest::newRow("wide whole real")
        << StatValue(123456789012345683968.0) << QByteArray("123456789012345683968.0");
    QTest::newRow("largest double")
        << StatValue(std::numeric_limits<double>::max()) << QByteArray("1.7976931348623157e+308");
    QTest::newRow("smallest subnormal")
        << StatValue(std::numeric_limits<double>::denorm_min()) << QByteArray("5e-324");
    // Reals of at most 3 decimals below 10^5 take a shorter way; it must write the same text.
    QTest::newRow("4.9") << StatValue(4.9) << QByteArray("4.9");
    QTest::newRow("-4.9") << StatValue(-4.9) << QByteArray("-4.9");
    QTest::newRow("0.05") << StatValue(0.05) << QByteArray("0.05");
    QTest::newRow("0.001") << StatValue(0.001) << QByteArray("0.001");
    QTest::newRow("-0.007") << StatValue(-0.007) << QByteArray("-0.007");
    QTest::newRow("0.0001 is scientific") << StatValue(0.0001) << QByteArray("1e-04");
    QTest::newRow("0.00012, 5 decimals") << StatValue(0.00012) << QByteArray("0.00012");
    QTest::newRow("12.25") << StatValue(12.25) << QByteArray("12.25");
    QTest::newRow("99999.0") << StatValue(99999.0) << QByteArray("99999.0");
    QTest::newRow("99999.999") << StatValue(99999.999) << QByteArray("99999.999");
    QTest::newRow("100000.0 is scientific") << StatValue(100000.0) << QByteArray("1e+05");
    QTest::newRow("100000.5") << StatValue(100000.5) << QByteArray("100000.5");
    QTest::newRow("1.0001, 4 decimals") << StatValue(1.0001) << QByteArray("1.0001");
    QTest::newRow("0.1 + 0.2") << StatValue(0.1 + 0.2) << QByteArray("0.30000000000000004");
    QTest::newRow("1e5 - 0.0005") << StatValue(99999.9995) << QByteArray("99999.9995");
}

void tst_PipeFormat::appendValue()
{
    QFETCH(StatValue, value);
    QFETCH(QByteArray, text);
    QByteArray out = "prefix ";
    PipeFormat::appendValue(out, value);
    QCOMPARE(out, QByteArray("prefix " + text));
}

void tst_PipeFormat::realsOfFewDecimalsAreWrittenAsToChars()
{
    // Every real of 0 to 3 decimals in a range, and random bits: the text is std::to_chars()'s
    // shortest one, with ".0" when it has neither a point nor an exponent.
    auto expected = [](double real) {
        char buffer[64];
        char *end = std::to_chars(buffer, buffer + sizeof buffer, real).ptr;
        QByteArray text(buffer, end - buffer);
        if (!text.contains('.') && !text.contains('e'))
            text += ".0";
        return text;
    };
    QList<double> reals;
    for (int thousandths = -20000; thousandths <= 20000; ++thousandths)
        reals << thousandths / 1000.0 << thousandths / 100.0 << thousandths * 4.99;
    QRandomGenerator random(9);
    for (int i = 0; i < 20000; ++i) {
        reals << double(random.bounded(100000000)) / 1000.0 << randomFiniteDouble(random)
              << random.generateDouble() * 1e5;
    }
    for (double real : reals) {
        QByteArray out;
        PipeFormat::appendValue(out, StatValue(real));
        if (out != expected(real))
            QFAIL(qPrintable(QStringLiteral("%1 written as %2, not %3")
                                 .arg(real, 0, 'g', 17)
                                 .arg(QLatin1StringView(out), QLatin1StringView(expected(real)))));
    }
}

void tst_PipeFormat::appendLine()
{
    QByteArray out;
    PipeFormat::appendLine(out, "a.b.c.d", 42);
    PipeFormat::appendLine(out, "My Nice Stat", 123.45);
    PipeFormat::appendLine(out, "a:b", 1e-9);
    QCOMPARE(out, QByteArray("a.b.c.d: 42\nMy Nice Stat: 123.45\na:b: 1e-09\n"));
}

void tst_PipeFormat::serializeKeepsOrder()
{
    const Snapshot snapshot = {{"z", 1}, {"a", 2.5}, {"m", -3}};
    QCOMPARE(PipeFormat::serialize(snapshot), QByteArray("z: 1\na: 2.5\nm: -3\n"));
    QCOMPARE(PipeFormat::serialize({}), QByteArray());
}

void tst_PipeFormat::roundTrip_data()
{
    appendValue_data();
}

void tst_PipeFormat::roundTrip()
{
    QFETCH(StatValue, value);
    const PipeFormat::ParseResult result = PipeFormat::parse(lineOf("a:b:c", value));
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.stats, Snapshot({{"a:b:c", value}}));
    QCOMPARE(result.stats.constFirst().value.type(), value.type());
}

void tst_PipeFormat::roundTripOfRandomValues()
{
    QRandomGenerator random(20241125);
    Snapshot snapshot;
    for (int i = 0; i < 20000; ++i) {
        const QByteArray name = "stat." + QByteArray::number(i);
        if (i % 2)
            snapshot.append({name, StatValue(qint64(random.generate64()))});
        else
            snapshot.append({name, randomFiniteDouble(random)});
    }
    const PipeFormat::ParseResult result = PipeFormat::parse(PipeFormat::serialize(snapshot));
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.stats, snapshot);
}

void tst_PipeFormat::parseValue_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<StatValue>("value");
    QTest::addColumn<LineError>("error");

    const auto good = [](const char *name, const char *text, StatValue value) {
        QTest::newRow(name) << QByteArray(text) << true << value << LineError::NoSeparator;
    };
    const auto bad = [](const char *name, const char *text, LineError error) {
        QTest::newRow(name) << QByteArray(text) << false << StatValue() << error;
    };

    good("int", "42", 42);
    good("blanks around", " \t42\t ", 42);
    good("leading plus", "+5", 5);
    good("negative", "-12", -12);
    good("INT64_MAX", "9223372036854775807", Int64Max);
    good("INT64_MIN", "-9223372036854775808", Int64Min);
    // Python reads these as an exact int; a double is the closest a qint64-or-double value gets.
    good("beyond INT64_MAX becomes real", "9223372036854775808", 9223372036854775808.0);
    good("original %f", "123.450000", 123.45);
    good("original %f zero", "0.000000", 0.0);
    good("original %f negative", "-0.250000", -0.25);
    good("exponent", "1e-09", 1e-9);
    good("capital exponent", "1E5", 1e5);
    good("plus real", "+2.5", 2.5);
    good("leading point", ".5", 0.5);
    good("trailing point", "5.", 5.0);
    good("subnormal", "4e-320", 4e-320);
    // Python's float() reads a number too small for a double as zero; so do we.
    good("underflow to zero", "1e-400", 0.0);
    good("negative underflow to zero", "-1e-400", 0.0);
    good("underflow by leading zeros", "0.0000000001e-315", 0.0);
    good("tiny exponent", "1e-9999999999999999999999", 0.0);
    bad("empty", "", LineError::EmptyValue);
    bad("blanks only", " \t ", LineError::EmptyValue);
    bad("word", "abc", LineError::NotANumber);
    bad("two numbers", "1 2", LineError::NotANumber);
    bad("plus alone", "+", LineError::NotANumber);
    bad("plus minus", "+-1", LineError::NotANumber);
    bad("two pluses", "++1", LineError::NotANumber);
    bad("minus alone", "-", LineError::NotANumber);
    bad("hex", "0x10", LineError::NotANumber);
    bad("comma decimal", "1,5", LineError::NotANumber);
    bad("number then text", "12abc", LineError::NotANumber);
    bad("nan", "nan", LineError::NonFiniteValue);
    bad("inf", "inf", LineError::NonFiniteValue);
    bad("-inf", "-inf", LineError::NonFiniteValue);
    bad("infinity", "infinity", LineError::NonFiniteValue);
    bad("overflow to infinity", "1e400", LineError::NonFiniteValue);
    bad("huge exponent", "1e9999999999999999999999", LineError::NonFiniteValue);
    bad("overflow by many digits", "1000000000000000000000000000000e300",
        LineError::NonFiniteValue);
}

void tst_PipeFormat::parseValue()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QFETCH(StatValue, value);
    QFETCH(LineError, error);

    LineError reported = LineError::LineTooLong; // not a value error: shows whether it was set
    const std::optional<StatValue> parsed = PipeFormat::parseValue(text, &reported);
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QCOMPARE(*parsed, value);
        QCOMPARE(reported, LineError::LineTooLong);
    } else {
        QCOMPARE(reported, error);
    }
    // The error pointer is optional.
    QCOMPARE(PipeFormat::parseValue(text).has_value(), valid);
}

void tst_PipeFormat::parse_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<Snapshot>("stats");
    QTest::addColumn<Rejections>("rejections");

    QTest::newRow("empty text") << QByteArray() << Snapshot() << Rejections();
    QTest::newRow("one line") << QByteArray("a: 1\n") << Snapshot({{"a", 1}}) << Rejections();
    QTest::newRow("no final newline")
        << QByteArray("a: 1\nb: 2") << Snapshot({{"a", 1}, {"b", 2}}) << Rejections();
    QTest::newRow("CRLF") << QByteArray("a: 1\r\nb: 2.5\r\n") << Snapshot({{"a", 1}, {"b", 2.5}})
                          << Rejections();
    QTest::newRow("blank lines ignored")
        << QByteArray("\n \n\t\na: 1\n\n\r\n") << Snapshot({{"a", 1}}) << Rejections();
    QTest::newRow("split at last colon")
        << QByteArray("a:b:c: 5\nfoo :: now: 1.5\n")
        << Snapshot({{"a:b:c", 5}, {"foo :: now", 1.5}}) << Rejections();
    QTest::newRow("name kept byte for byte")
        << QByteArray("  spaced name : 3\n\xc3\xbc: 4\n")
        << Snapshot({{"  spaced name ", 3}, {"\xc3\xbc", 4}}) << Rejections();
    QTest::newRow("no space after colon")
        << QByteArray("a:1\n") << Snapshot({{"a", 1}}) << Rejections();
    QTest::newRow("same name twice kept twice")
        << QByteArray("a: 1\na: 2\n") << Snapshot({{"a", 1}, {"a", 2}}) << Rejections();
    QTest::newRow("no separator") << QByteArray("a: 1\nno colon\nb: 2\n")
                                  << Snapshot({{"a", 1}, {"b", 2}})
                                  << Rejections({{2, LineError::NoSeparator}});
    QTest::newRow("empty name") << QByteArray(": 5\n") << Snapshot()
                                << Rejections({{1, LineError::EmptyName}});
    QTest::newRow("empty value") << QByteArray("a:\nb: \n") << Snapshot()
                                 << Rejections(
                                        {{1, LineError::EmptyValue}, {2, LineError::EmptyValue}});
    QTest::newRow("colon last") << QByteArray("a: 1:\n") << Snapshot()
                                << Rejections({{1, LineError::EmptyValue}});
    QTest::newRow("not a number") << QByteArray("a: abc\n") << Snapshot()
                                  << Rejections({{1, LineError::NotANumber}});
    QTest::newRow("nan") << QByteArray("a: nan\n") << Snapshot()
                         << Rejections({{1, LineError::NonFiniteValue}});
    QTest::newRow("line numbers count blank lines")
        << QByteArray("\n\nbad\nok: 1\n\nworse: x") << Snapshot({{"ok", 1}})
        << Rejections({{3, LineError::NoSeparator}, {6, LineError::NotANumber}});
}

void tst_PipeFormat::parse()
{
    QFETCH(QByteArray, text);
    QFETCH(Snapshot, stats);
    QFETCH(Rejections, rejections);

    const PipeFormat::ParseResult result = PipeFormat::parse(text);
    QCOMPARE(result.stats, stats);
    QCOMPARE(result.rejectedLines, rejections.size());
    QCOMPARE(rejectionsOf(result), rejections);
}

void tst_PipeFormat::rejectionsAreCountedButReportedUpToALimit()
{
    QByteArray text;
    for (int i = 0; i < 40; ++i)
        text += "bad line\ngood: 1\n";
    const PipeFormat::ParseResult result = PipeFormat::parse(text);
    QCOMPARE(result.stats.size(), 40);
    QCOMPARE(result.rejectedLines, 40);
    QCOMPARE(result.rejections.size(), PipeFormat::MaxReportedRejections);
    QCOMPARE(result.rejections.constLast().lineNumber, 2 * PipeFormat::MaxReportedRejections - 1);
}

void tst_PipeFormat::lineLengthLimit()
{
    // The longest name the registry accepts, with the longest number, fits in a line.
    const QByteArray longestName(PipeFormat::MaxNameLength, 'n');
    const QByteArray longestLine = lineOf(longestName, Int64Min);
    QVERIFY(longestLine.size() <= PipeFormat::MaxLineLength);
    QCOMPARE(PipeFormat::parse(longestLine).stats, Snapshot({{longestName, Int64Min}}));

    const QByteArray value = ": 1";
    const QByteArray atLimit = QByteArray(PipeFormat::MaxLineLength - value.size(), 'x') + value;
    const PipeFormat::ParseResult accepted =
        PipeFormat::parse(QByteArray(atLimit + "\nx" + atLimit + "\nafter: 2\n"));
    QCOMPARE(accepted.stats, Snapshot({{atLimit.chopped(value.size()), 1}, {"after", 2}}));
    QCOMPARE(rejectionsOf(accepted), Rejections({{2, LineError::LineTooLong}}));
}

void tst_PipeFormat::isValidName_data()
{
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("plain") << QByteArray("requests") << true;
    QTest::newRow("punctuation") << QByteArray("a:b [c] {0} ?x=1") << true;
    QTest::newRow("UTF-8") << QByteArray("\xc3\xbcn\xc3\xaf"
                                         "code")
                           << true;
    QTest::newRow("tab") << QByteArray("a\tb") << true;
    QTest::newRow("longest") << QByteArray(PipeFormat::MaxNameLength, 'n') << true;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("too long") << QByteArray(PipeFormat::MaxNameLength + 1, 'n') << false;
    QTest::newRow("LF") << QByteArray("a\nb") << false;
    QTest::newRow("CR") << QByteArray("a\rb") << false;
    QTest::newRow("trailing LF") << QByteArray("a\n") << false;
}

void tst_PipeFormat::isValidName()
{
    QFETCH(QByteArray, name);
    QFETCH(bool, valid);
    QCOMPARE(PipeFormat::isValidName(name), valid);
}

void tst_PipeFormat::describeNamesEveryError()
{
    const QList<LineError> errors = {LineError::NoSeparator,    LineError::EmptyName,
                                     LineError::EmptyValue,     LineError::NotANumber,
                                     LineError::NonFiniteValue, LineError::LineTooLong};
    QSet<QString> descriptions;
    for (LineError error : errors) {
        const QString description = PipeFormat::describe(error);
        QVERIFY(!description.isEmpty());
        QVERIFY(!description.contains(QLatin1StringView("unknown")));
        descriptions.insert(description);
    }
    QCOMPARE(descriptions.size(), errors.size());
}

void tst_PipeFormat::sampleFiles_data()
{
    QTest::addColumn<QByteArray>("fileName");
    QTest::addColumn<Snapshot>("stats");
    QTest::addColumn<Rejections>("rejections");

    QTest::newRow("readme-example")
        << QByteArray("readme-example.stats")
        << Snapshot({{"a.b.c.d", 42}, {"My Nice Stat", 123.45}, {"another[one]", 0}})
        << Rejections();
    QTest::newRow("demo-program") << QByteArray("demo-program.stats")
                                  << Snapshot({{"foo.bar", 150},
                                               {"foo :: now", 1732492800.123456},
                                               {"foo->baz->median", 2.090614},
                                               {"foo->baz->95th", 4.723405},
                                               {"foo->baz->99th", 4.965480},
                                               {"foo->baz->100th", 4.965514},
                                               {"foo->baz->mean", 2.272952}})
                                  << Rejections();
    QTest::newRow("percentiles") << QByteArray("percentiles.stats")
                                 << Snapshot({{"latency.median", 50.0},
                                              {"latency.95th", 95.0},
                                              {"latency.99th", 99.0},
                                              {"latency.100th", 100.0},
                                              {"latency.mean", 50.5},
                                              {"tiny.median", 0.0},
                                              {"tiny.95th", 0.0},
                                              {"tiny.99th", 0.0},
                                              {"tiny.100th", 0.0},
                                              {"tiny.mean", 0.0}})
                                 << Rejections();
    QTest::newRow("tricky-names") << QByteArray("tricky-names.stats")
                                  << Snapshot({{"foo :: now", 1732492800.5},
                                               {"a:b:c", 5},
                                               {"http.GET /api/v1/items?x=1", 17},
                                               {"\xc3\xbcn\xc3\xaf"
                                                "code.stat",
                                                3},
                                               {"negative", -12},
                                               {"neg.float", -0.25},
                                               {"big", Int64Max}})
                                  << Rejections();
    // Per the rules in pipeformat.h: the blank line 3 is skipped, line 10 (a 100,000-byte name)
    // is too long, and the last line counts although no newline ends it.
    QTest::newRow("malformed") << QByteArray("malformed.stats")
                               << Snapshot({{"good.one", 1},
                                            {"good.two", 2.5},
                                            {"good.three", 3},
                                            {"no.newline.at.end", 4}})
                               << Rejections({{2, LineError::NoSeparator},
                                              {4, LineError::EmptyValue},
                                              {5, LineError::NotANumber},
                                              {7, LineError::NotANumber},
                                              {8, LineError::NonFiniteValue},
                                              {9, LineError::NonFiniteValue},
                                              {10, LineError::LineTooLong}});
}

void tst_PipeFormat::sampleFiles()
{
    QFETCH(QByteArray, fileName);
    QFETCH(Snapshot, stats);
    QFETCH(Rejections, rejections);

    const PipeFormat::ParseResult result =
        PipeFormat::parse(StatventTest::readSample(fileName.constData()));
    QCOMPARE(result.stats, stats);
    QCOMPARE(result.rejectedLines, rejections.size());
    QCOMPARE(rejectionsOf(result), rejections);

    // Written back in this library's format, the same statistics read back unchanged.
    const PipeFormat::ParseResult again = PipeFormat::parse(PipeFormat::serialize(result.stats));
    QCOMPARE(again.rejectedLines, 0);
    QCOMPARE(again.stats, result.stats);
}

void tst_PipeFormat::largeSample()
{
    const QByteArray text = StatventTest::readSample("large.stats");
    QVERIFY(text.size() > 65536); // more than one pipe buffer: the point of this sample
    const PipeFormat::ParseResult result = PipeFormat::parse(text);
    QCOMPARE(result.rejectedLines, 0);
    QCOMPARE(result.stats.size(), 5500);

    // 5,000 counters `service.endpoint.NNNN.requests` = 3 * NNNN, then 500 gauges
    // `service.gauge.NNN` = NNN / 7 printed with %f.
    for (int i = 0; i < 5000; ++i) {
        const StatEntry &entry = result.stats.at(i);
        QCOMPARE(entry.name,
                 QByteArray("service.endpoint." + QByteArray::number(i).rightJustified(4, '0')
                            + ".requests"));
        QCOMPARE(entry.value, StatValue(3 * i));
    }
    for (int i = 0; i < 500; ++i) {
        const StatEntry &entry = result.stats.at(5000 + i);
        QCOMPARE(entry.name,
                 QByteArray("service.gauge." + QByteArray::number(i).rightJustified(3, '0')));
        QVERIFY(entry.value.isReal());
        QVERIFY2(qAbs(entry.value.toReal() - i / 7.0) <= 5e-7, entry.name.constData());
    }

    const PipeFormat::ParseResult again = PipeFormat::parse(PipeFormat::serialize(result.stats));
    QCOMPARE(again.rejectedLines, 0);
    QCOMPARE(again.stats, result.stats);
}

QTEST_APPLESS_MAIN(tst_PipeFormat)

#include "tst_pipeformat.moc"
