// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "nameindex.h"

#include <functional>
#include <string_view>

namespace Statvent::Detail {

namespace {

size_t hashOf(QByteArrayView name) noexcept
{
    return std::hash<std::string_view>()(std::string_view(name.data(), size_t(name.size())));
}

//! A power of two with room for \a names at a load of at most one half.
size_t capacityFor(qsizetype names)
{
    size_t capacity = 16;
    while (capacity < size_t(names) * 2)
        capacity *= 2;
    return capacity;
}

} // namespace

NameIndex::NameIndex(qsizetype expectedNames)
    : m_slots(capacityFor(expectedNames))
{
}

size_t NameIndex::slotFor(QByteArrayView name, size_t hash) const
{
    // Linear probing: the table is at most half full, so an empty slot is always near.
    const size_t mask = m_slots.size() - 1;
    size_t index = hash & mask;
    while (m_slots[index].row >= 0 && (m_slots[index].hash != hash || m_slots[index].name != name))
        index = (index + 1) & mask;
    return index;
}

qsizetype NameIndex::findOrInsert(QByteArrayView name, qsizetype row)
{
    const size_t hash = hashOf(name);
    Slot &slot = m_slots[slotFor(name, hash)];
    if (slot.row >= 0)
        return slot.row;
    slot = Slot{name, hash, row};
    if (++m_count * 2 > qsizetype(m_slots.size()))
        grow();
    return -1;
}

NameIndex::Probe NameIndex::find(QByteArrayView name) const
{
    const size_t hash = hashOf(name);
    const size_t slot = slotFor(name, hash);
    return Probe{hash, slot, m_slots[slot].row};
}

void NameIndex::insert(const Probe &probe, QByteArrayView keptName, qsizetype row)
{
    m_slots[probe.slot] = Slot{keptName, probe.hash, row};
    if (++m_count * 2 > qsizetype(m_slots.size()))
        grow();
}

void NameIndex::grow()
{
    std::vector<Slot> old(m_slots.size() * 2);
    old.swap(m_slots);
    for (const Slot &slot : old) {
        if (slot.row >= 0)
            m_slots[slotFor(slot.name, slot.hash)] = slot;
    }
}

} // namespace Statvent::Detail
