// Walking a buffer of merged records (what the reader hands on: enter, exit
// and param records, lost markers), the one place C++ does it outside the
// ring reader's own validated walk. src/wire.ts is its TypeScript twin.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

extern "C" {
#include "../bpf/traceloop.h"
}

namespace traceloop {

// One record of a merged buffer.
struct RecordAt {
	size_t offset;
	tl_hdr hdr;
	// The time it sorts by: an event's timestamp, a marker's end of gap; 0
	// for params and pads.
	uint64_t ts;
	// Events it stands for: 1 for an enter or exit, a marker's count, else 0.
	uint64_t events;
	// The CPU whose ring it came from (a marker's cpu; UINT32_MAX for none).
	uint32_t cpu;
};

// Calls fn(RecordAt) for every record of buf[0, len); returns false if a
// record's size is malformed (the walk stops there).
template <typename F> bool for_each_record(const uint8_t *buf, size_t len, F fn)
{
	for (size_t off = 0; off + sizeof(tl_hdr) <= len;) {
		RecordAt r{off, {}, 0, 0, UINT32_MAX};
		std::memcpy(&r.hdr, buf + off, sizeof(r.hdr));
		if (r.hdr.size < sizeof(tl_hdr) || r.hdr.size > len - off)
			return false;
		if ((r.hdr.type == TL_REC_ENTER || r.hdr.type == TL_REC_EXIT) &&
		    r.hdr.size >= sizeof(tl_event)) {
			tl_event ev;
			std::memcpy(&ev, buf + off, sizeof(ev));
			r.ts = ev.ts;
			r.events = 1;
			r.cpu = ev.cpu;
		} else if (r.hdr.type == TL_REC_LOST && r.hdr.size >= sizeof(tl_lost)) {
			tl_lost m;
			std::memcpy(&m, buf + off, sizeof(m));
			r.ts = m.ts_to;
			r.events = m.count;
			r.cpu = m.cpu;
		}
		fn(r);
		off += r.hdr.size;
	}
	return true;
}

} // namespace traceloop
