// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/percentilegroups.h>

#include <statvent/aggregates.h>

#include <QSet>

#include <algorithm>
#include <limits>

namespace StatventDashboard {

using namespace Qt::StringLiterals;

namespace {

constexpr auto Placeholder = "{0}"_L1;
// Longer than any label Aggregates produces ("99.9999th"); bounds the search at each start.
constexpr qsizetype MaxLabelLength = 16;

bool isWordCharacter(QChar c)
{
    return c.isLetterOrNumber();
}

bool isWordStart(QStringView name, qsizetype at)
{
    return isWordCharacter(name[at]) && (at == 0 || !isWordCharacter(name[at - 1]));
}

bool isWordEnd(QStringView name, qsizetype at)
{
    return at == name.size() || !isWordCharacter(name[at]);
}

QString patternFor(const QString &name, PercentileGroups::LabelSpan span)
{
    QString pattern = name;
    return pattern.replace(span.start, span.length, Placeholder);
}

} // namespace

QList<PercentileGroups::LabelSpan> PercentileGroups::labelSpans(QStringView name)
{
    QList<LabelSpan> spans;
    qsizetype at = 0;
    while (at < name.size()) {
        if (!isWordStart(name, at)) {
            ++at;
            continue;
        }
        // The longest label starting here: "99.9th" rather than stopping at "99".
        qsizetype found = 0;
        const qsizetype longest = std::min(MaxLabelLength, name.size() - at);
        for (qsizetype length = longest; length > 0 && found == 0; --length) {
            if (isWordEnd(name, at + length)
                && Statvent::Aggregates::isLabel(name.sliced(at, length).toUtf8()))
                found = length;
        }
        if (found > 0) {
            spans.append({at, found});
            at += found;
        } else {
            ++at;
        }
    }
    return spans;
}

double PercentileGroups::rankOf(QStringView label)
{
    // `mean` (and anything that names no percentile) after every percentile.
    return Statvent::Aggregates::percentileOf(label.toUtf8())
        .value_or(std::numeric_limits<double>::max());
}

QString PercentileGroups::patternOf(const QString &name) const
{
    const auto it = m_groupOfName.constFind(name);
    return it == m_groupOfName.cend() ? QString() : m_groups.at(*it).pattern;
}

PercentileGroups PercentileGroups::detect(const QStringList &names)
{
    struct Candidate
    {
        QString pattern;
        LabelSpan span;
    };
    // Every pattern each name could belong to, and how many names share each pattern.
    QHash<QString, QList<Candidate>> candidatesOfName;
    QHash<QString, int> namesOfPattern;
    for (const QString &name : names) {
        const QList<LabelSpan> spans = labelSpans(name);
        if (spans.isEmpty())
            continue;
        QList<Candidate> &candidates = candidatesOfName[name];
        for (const LabelSpan &span : spans) {
            Candidate candidate{patternFor(name, span), span};
            ++namesOfPattern[candidate.pattern];
            candidates.append(std::move(candidate));
        }
    }

    QHash<QString, QList<Member>> membersOfPattern;
    for (auto it = candidatesOfName.cbegin(); it != candidatesOfName.cend(); ++it) {
        const Candidate *best = nullptr;
        // Spans run left to right, so ">=" lets the rightmost label win a tie.
        for (const Candidate &candidate : it.value()) {
            if (!best
                || namesOfPattern.value(candidate.pattern) >= namesOfPattern.value(best->pattern))
                best = &candidate;
        }
        if (namesOfPattern.value(best->pattern) < 2)
            continue;
        const QString label = it.key().sliced(best->span.start, best->span.length);
        membersOfPattern[best->pattern].append(Member{label, it.key(), rankOf(label)});
    }

    QList<Group> groups;
    for (auto it = membersOfPattern.begin(); it != membersOfPattern.end(); ++it) {
        // A name may have gone to a bigger pattern and left this one with a single member.
        if (it.value().size() < 2)
            continue;
        std::sort(it.value().begin(), it.value().end(), [](const Member &a, const Member &b) {
            return a.rank != b.rank ? a.rank < b.rank : a.label < b.label;
        });
        groups.append(Group{it.key(), std::move(it.value())});
    }
    return fromGroups(std::move(groups));
}

PercentileGroups PercentileGroups::withWindows(const QList<Group> &windows,
                                               const QStringList &names)
{
    const QSet<QString> present(names.cbegin(), names.cend());
    QSet<QString> claimed;
    QList<Group> groups;
    for (const Group &window : windows) {
        Group group{window.pattern, {}};
        for (const Member &member : window.members) {
            if (present.contains(member.name) && !claimed.contains(member.name)) {
                claimed.insert(member.name);
                group.members.append(member);
            }
        }
        if (!group.members.isEmpty())
            groups.append(std::move(group));
    }
    QStringList unclaimed;
    for (const QString &name : names) {
        if (!claimed.contains(name))
            unclaimed.append(name);
    }
    for (Group &guessed : detect(unclaimed).m_groups) {
        // Rows of another process that the window does not list (other percentiles) join it.
        const auto same = std::find_if(groups.begin(), groups.end(), [&](const Group &group) {
            return group.pattern == guessed.pattern;
        });
        if (same == groups.end()) {
            groups.append(std::move(guessed));
            continue;
        }
        same->members.append(guessed.members);
        std::stable_sort(same->members.begin(), same->members.end(),
                         [](const Member &a, const Member &b) { return a.rank < b.rank; });
    }
    return fromGroups(std::move(groups));
}

PercentileGroups PercentileGroups::fromGroups(QList<Group> groups)
{
    PercentileGroups result;
    result.m_groups = std::move(groups);
    std::sort(result.m_groups.begin(), result.m_groups.end(), [](const Group &a, const Group &b) {
        const int order = a.pattern.compare(b.pattern, Qt::CaseInsensitive);
        return order != 0 ? order < 0 : a.pattern < b.pattern;
    });
    for (qsizetype i = 0; i < result.m_groups.size(); ++i) {
        for (const Member &member : std::as_const(result.m_groups[i].members))
            result.m_groupOfName.insert(member.name, i);
    }
    return result;
}

} // namespace StatventDashboard
