// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statventtest.h"

#include <statvent/statvalue.h>

#include <QTest>

#include <cmath>
#include <limits>

using Statvent::StatValue;

namespace {
constexpr qint64 Int64Max = std::numeric_limits<qint64>::max();
constexpr qint64 Int64Min = std::numeric_limits<qint64>::min();
constexpr double Infinity = std::numeric_limits<double>::infinity();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
// 2^63 and 2^64 are exact doubles; the sums below are compared against them bit for bit.
constexpr double TwoToThe63 = 9223372036854775808.0;
constexpr double TwoToThe64 = 18446744073709551616.0;
} // namespace

class tst_StatValue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultIsIntegerZero();
    void fromArithmeticTypes_data();
    void fromArithmeticTypes();
    void toInteger_data();
    void toInteger();
    void isFinite_data();
    void isFinite();
    void addition_data();
    void addition();
    void lessThanAcrossTypes_data();
    void lessThanAcrossTypes();
    void equalityIncludesType();
};

void tst_StatValue::defaultIsIntegerZero()
{
    const StatValue value{};
    QVERIFY(value.isInteger());
    QCOMPARE(value.toInteger(), 0);
    QCOMPARE(value, StatValue(0));
}

void tst_StatValue::fromArithmeticTypes_data()
{
    QTest::addColumn<StatValue>("value");
    QTest::addColumn<StatValue::Type>("type");
    QTest::addColumn<double>("real");

    QTest::newRow("int") << StatValue(42) << StatValue::Type::Integer << 42.0;
    QTest::newRow("negative short") << StatValue(short(-7)) << StatValue::Type::Integer << -7.0;
    QTest::newRow("unsigned char")
        << StatValue((unsigned char)(200)) << StatValue::Type::Integer << 200.0;
    QTest::newRow("qint64 max") << StatValue(Int64Max) << StatValue::Type::Integer
                                << double(Int64Max);
    QTest::newRow("qint64 min") << StatValue(Int64Min) << StatValue::Type::Integer
                                << double(Int64Min);
    QTest::newRow("quint64 fitting")
        << StatValue(quint64(Int64Max)) << StatValue::Type::Integer << double(Int64Max);
    // Above INT64_MAX an unsigned value cannot be an exact qint64: it must not wrap negative.
    QTest::newRow("quint64 above qint64")
        << StatValue(quint64(Int64Max) + 1) << StatValue::Type::Real << TwoToThe63;
    QTest::newRow("quint64 max") << StatValue(std::numeric_limits<quint64>::max())
                                 << StatValue::Type::Real << TwoToThe64;
    QTest::newRow("double") << StatValue(2.5) << StatValue::Type::Real << 2.5;
    QTest::newRow("whole double stays real") << StatValue(3.0) << StatValue::Type::Real << 3.0;
    QTest::newRow("float") << StatValue(0.25f) << StatValue::Type::Real << 0.25;
}

void tst_StatValue::fromArithmeticTypes()
{
    QFETCH(StatValue, value);
    QFETCH(StatValue::Type, type);
    QFETCH(double, real);
    QCOMPARE(value.type(), type);
    QCOMPARE(value.isInteger(), type == StatValue::Type::Integer);
    QCOMPARE(value.isReal(), type == StatValue::Type::Real);
    QCOMPARE(value.toReal(), real);
}

void tst_StatValue::toInteger_data()
{
    QTest::addColumn<StatValue>("value");
    QTest::addColumn<qint64>("integer");

    QTest::newRow("integer") << StatValue(-12) << qint64(-12);
    QTest::newRow("real truncates down") << StatValue(2.9) << qint64(2);
    QTest::newRow("negative real truncates up") << StatValue(-2.9) << qint64(-2);
    QTest::newRow("2^63 saturates") << StatValue(TwoToThe63) << Int64Max;
    QTest::newRow("huge saturates") << StatValue(1e300) << Int64Max;
    QTest::newRow("-2^63 is exact") << StatValue(-TwoToThe63) << Int64Min;
    QTest::newRow("-huge saturates") << StatValue(-1e300) << Int64Min;
    QTest::newRow("NaN gives 0") << StatValue(NaN) << qint64(0);
}

void tst_StatValue::toInteger()
{
    QFETCH(StatValue, value);
    QFETCH(qint64, integer);
    QCOMPARE(value.toInteger(), integer);
}

void tst_StatValue::isFinite_data()
{
    QTest::addColumn<StatValue>("value");
    QTest::addColumn<bool>("finite");

    QTest::newRow("integer") << StatValue(Int64Max) << true;
    QTest::newRow("real") << StatValue(-1e-300) << true;
    QTest::newRow("largest double") << StatValue(std::numeric_limits<double>::max()) << true;
    QTest::newRow("NaN") << StatValue(NaN) << false;
    QTest::newRow("+inf") << StatValue(Infinity) << false;
    QTest::newRow("-inf") << StatValue(-Infinity) << false;
}

void tst_StatValue::isFinite()
{
    QFETCH(StatValue, value);
    QFETCH(bool, finite);
    QCOMPARE(value.isFinite(), finite);
}

void tst_StatValue::addition_data()
{
    QTest::addColumn<StatValue>("a");
    QTest::addColumn<StatValue>("b");
    QTest::addColumn<StatValue>("sum");

    QTest::newRow("int + int") << StatValue(40) << StatValue(2) << StatValue(42);
    QTest::newRow("int + real promotes") << StatValue(1) << StatValue(0.5) << StatValue(1.5);
    QTest::newRow("real + int stays real") << StatValue(0.5) << StatValue(1) << StatValue(1.5);
    QTest::newRow("real + real") << StatValue(0.25) << StatValue(0.5) << StatValue(0.75);
    QTest::newRow("whole reals stay real") << StatValue(1.0) << StatValue(2) << StatValue(3.0);
    QTest::newRow("int max + 0") << StatValue(Int64Max) << StatValue(0) << StatValue(Int64Max);
    QTest::newRow("int min + int max")
        << StatValue(Int64Min) << StatValue(Int64Max) << StatValue(-1);
    // The original's Python ints never overflow; wrapping to a negative count would be a lie.
    QTest::newRow("int max + 1 becomes 2^63")
        << StatValue(Int64Max) << StatValue(1) << StatValue(TwoToThe63);
    QTest::newRow("int max + int max")
        << StatValue(Int64Max) << StatValue(Int64Max) << StatValue(TwoToThe64 - 2.0);
    QTest::newRow("int min - 1") << StatValue(Int64Min) << StatValue(-1)
                                 << StatValue(-TwoToThe63 - 1.0);
    QTest::newRow("int min + int min")
        << StatValue(Int64Min) << StatValue(Int64Min) << StatValue(-TwoToThe64);
}

void tst_StatValue::addition()
{
    QFETCH(StatValue, a);
    QFETCH(StatValue, b);
    QFETCH(StatValue, sum);
    QCOMPARE(a + b, sum);
    StatValue accumulated = a;
    accumulated += b;
    QCOMPARE(accumulated, sum);
    QCOMPARE(accumulated.type(), sum.type());
}

void tst_StatValue::lessThanAcrossTypes_data()
{
    QTest::addColumn<StatValue>("a");
    QTest::addColumn<StatValue>("b");
    QTest::addColumn<bool>("less");

    QTest::newRow("ints") << StatValue(1) << StatValue(2) << true;
    QTest::newRow("ints reversed") << StatValue(2) << StatValue(1) << false;
    QTest::newRow("equal int and real") << StatValue(3) << StatValue(3.0) << false;
    QTest::newRow("int below real") << StatValue(3) << StatValue(3.5) << true;
    QTest::newRow("real below int") << StatValue(-0.5) << StatValue(0) << true;
    // Near 2^63 a double cannot tell these apart; the integer comparison must stay exact.
    QTest::newRow("large ints stay exact")
        << StatValue(Int64Max - 1) << StatValue(Int64Max) << true;
}

void tst_StatValue::lessThanAcrossTypes()
{
    QFETCH(StatValue, a);
    QFETCH(StatValue, b);
    QFETCH(bool, less);
    QCOMPARE(StatValue::lessThan(a, b), less);
}

void tst_StatValue::equalityIncludesType()
{
    // The pipe writes 3 and 3.0 differently, so values of different types must not compare equal.
    QVERIFY(StatValue(3) != StatValue(3.0));
    QVERIFY(StatValue(3) == StatValue(3));
    QVERIFY(StatValue(3.0) == StatValue(3.0));
    QVERIFY(StatValue(0.1) != StatValue(0.1 + 1e-17 * 10));
}

QTEST_APPLESS_MAIN(tst_StatValue)

#include "tst_statvalue.moc"
