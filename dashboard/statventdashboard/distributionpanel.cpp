// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/distributionpanel.h>

#include <statventdashboard/chartgrid.h>
#include <statventdashboard/chartpanel.h>
#include <statventdashboard/dashboardcontroller.h>
#include <statventdashboard/numberformat.h>
#include <statventdashboard/statname.h>
#include <statventdashboard/windowdistribution.h>

#include <QAreaSeries>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

class DistributionPanelPrivate
{
public:
    void showWindows();
    void showDistribution();

    DashboardController *controller;
    QComboBox *chooser;
    QLabel *note;
    QChart *chart;
    QLogValueAxis *valueAxis;
    QValueAxis *countAxis;
};

void DistributionPanelPrivate::showWindows()
{
    const QStringList windows = controller->distributionWindows();
    const QSignalBlocker blocker(chooser);
    QStringList shown;
    for (int i = 0; i < chooser->count(); ++i)
        shown.append(chooser->itemData(i).toString());
    if (shown != windows) {
        chooser->clear();
        for (const QString &window : windows)
            chooser->addItem(StatName::display(window), window);
    }
    chooser->setCurrentIndex(chooser->findData(controller->distributionWindow()));
    chooser->setEnabled(!windows.isEmpty());
}

void DistributionPanelPrivate::showDistribution()
{
    const WindowDistribution distribution = controller->distribution();
    note->setText(controller->distributionNote());
    chart->removeAllSeries();
    chart->setTitle(distribution.isValid() ? StatName::display(distribution.name()) + u" — "_s
                            + controller->distributionSource()
                                           : QString());
    if (!distribution.isValid() || distribution.bars().isEmpty())
        return;

    // The bars as one stepped outline: each bucket rises from zero at its lower bound and falls
    // back at its upper bound, so gaps between buckets stay empty.
    // The area series does not own its outline: the outline is its child, so that
    // removeAllSeries(), which deletes the area, deletes the outline too.
    auto *bars = new QAreaSeries;
    auto *outline = new QLineSeries(bars);
    for (const WindowDistribution::Bar &bar : distribution.bars())
        outline->append({{bar.lower, 0},
                         {bar.lower, double(bar.count)},
                         {bar.upper, double(bar.count)},
                         {bar.upper, 0}});
    bars->setUpperSeries(outline);
    bars->setName(u"samples per bucket"_s);
    bars->setColor(QColor(0x9e, 0xb8, 0xd9));
    bars->setBorderColor(QColor(0x4a, 0x6f, 0x9c));
    chart->addSeries(bars);

    countAxis->setRange(0, double(distribution.largestCount()) * 1.1);
    countAxis->applyNiceNumbers();
    const double top = countAxis->max();
    auto [low, high] = distribution.valueRange();
    for (const WindowDistribution::Mark &mark : distribution.marks()) {
        auto *line = new QLineSeries;
        line->setName(mark.label + u' ' + NumberFormat::number(mark.value));
        line->append({{mark.value, 0}, {mark.value, top}});
        line->setPen(QPen(ChartPanel::colorForRank(mark.rank), 2));
        chart->addSeries(line);
        if (mark.value > 0) {
            low = std::min(low, mark.value);
            high = std::max(high, mark.value);
        }
    }
    valueAxis->setRange(low, high);
    for (QAbstractSeries *series : chart->series()) {
        series->attachAxis(valueAxis);
        series->attachAxis(countAxis);
    }
    const QString unit = ChartGrid::unitOf(distribution.name());
    valueAxis->setTitleText(unit.isEmpty() ? u"value (logarithmic)"_s : unit + u" (logarithmic)"_s);
}

DistributionPanel::DistributionPanel(DashboardController *controller, QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<DistributionPanelPrivate>())
{
    d->controller = controller;
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 6, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(u"Window "_s));
    d->chooser = new QComboBox;
    d->chooser->setObjectName(u"distributionWindow"_s);
    d->chooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    top->addWidget(d->chooser);
    d->note = new QLabel;
    d->note->setObjectName(u"distributionNote"_s);
    d->note->setWordWrap(true);
    top->addWidget(d->note, 1);
    layout->addLayout(top);

    d->chart = new QChart;
    d->chart->legend()->setAlignment(Qt::AlignBottom);
    d->valueAxis = new QLogValueAxis;
    d->valueAxis->setLabelFormat(u"%g"_s);
    d->valueAxis->setMinorTickCount(8);
    d->countAxis = new QValueAxis;
    d->countAxis->setTitleText(u"samples"_s);
    d->countAxis->setLabelFormat(u"%d"_s);
    d->chart->addAxis(d->valueAxis, Qt::AlignBottom);
    d->chart->addAxis(d->countAxis, Qt::AlignLeft);
    auto *view = new QChartView(d->chart);
    view->setRenderHint(QPainter::Antialiasing);
    layout->addWidget(view, 1);

    connect(d->chooser, &QComboBox::activated, controller, [this](int index) {
        d->controller->setDistributionWindow(d->chooser->itemData(index).toString());
    });
    connect(controller, &DashboardController::distributionWindowChanged, this,
            &DistributionPanel::refresh);
    refresh();
}

DistributionPanel::~DistributionPanel() = default;

QChart *DistributionPanel::chart() const
{
    return d->chart;
}

QComboBox *DistributionPanel::windowChooser() const
{
    return d->chooser;
}

QLabel *DistributionPanel::note() const
{
    return d->note;
}

void DistributionPanel::refresh()
{
    d->showWindows();
    d->showDistribution();
}

} // namespace StatventDashboard
