#include "synthetic.h"

#include <chrono>
#include <cstddef>
#include <cstring>

#include "live_merger.h"

extern "C" {
#include "../bpf/traceloop.h"
}

namespace traceloop {

SyntheticRing::SyntheticRing(const RingGeometry &geo, uint32_t cpu)
    : geo_(geo), cpu_(cpu), mem_(geo.ctrl_bytes + geo.ring_bytes)
{
}

bool SyntheticRing::append(bool enter, uint64_t ts)
{
	// Enters as the kernel writes most of them: comm not named (carried).
	const uint16_t size = enter ? TL_RING_ENTER_BYTES(3, 0) : sizeof(tl_exit);
	if (head_ + 2 * TL_RING_ENTER_MAX + geo_.inflight_bytes > geo_.ring_bytes)
		return false;
	auto *ctl = reinterpret_cast<tl_ring_ctrl *>(mem_.data());
	uint8_t *rec = mem_.data() + geo_.ctrl_bytes + (head_ & (geo_.ring_bytes - 1));
	tl_event ev{};
	ev.h.size = size;
	ev.h.type = enter ? TL_REC_ENTER : TL_REC_EXIT;
	ev.h.tid = 1000 + cpu_;
	ev.seq = static_cast<uint32_t>(emitted_++);
	ev.cpu = static_cast<uint16_t>(cpu_);
	ev.nr = 1;
	ev.ts = ts;
	std::memset(rec, 0, size);
	std::memcpy(rec, &ev, sizeof(ev));
	if (enter)
		rec[offsetof(tl_ring_enter, nargs)] = 3;
	const uint64_t start = head_;
	head_ += size;
	if ((head_ >> TL_PAGE_SHIFT) != (start >> TL_PAGE_SHIFT))
		ctl->page_start[(head_ >> TL_PAGE_SHIFT) & (geo_.ring_bytes / TL_PAGE_SIZE - 1)] =
		    head_;
	ctl->emitted = emitted_;
	ctl->published = emitted_;
	ctl->last_ts = ts;
	ctl->head = head_;
	return true;
}

DrainBenchResult bench_drain(uint32_t ncpus, uint64_t ring_bytes, uint32_t iterations)
{
	RingGeometry geo{ring_bytes, ctrl_bytes_for(ring_bytes), 2 * (sizeof(tl_param) + 256)};
	std::vector<SyntheticRing> rings;
	for (uint32_t c = 0; c < ncpus; c++) {
		rings.emplace_back(geo, c);
		// Interleaved timestamps across CPUs, as on a busy machine.
		for (uint64_t i = 0; rings.back().append(i % 2 == 0, i * ncpus + c); i++) {
		}
	}
	DrainBenchResult r;
	std::vector<uint8_t> out;
	for (uint32_t it = 0; it < iterations; it++) {
		const auto t0 = std::chrono::steady_clock::now();
		LiveMerger merger(ncpus);
		std::vector<RingState> states(ncpus);
		for (uint32_t c = 0; c < ncpus; c++) {
			CpuBatch batch;
			batch.cpu = c;
			read_ring(rings[c].element(), geo, c, states[c], batch);
			merger.add(std::move(batch), UINT64_MAX / 2);
		}
		out.clear();
		r.events += merger.release(0, out);
		r.ns += std::chrono::duration_cast<std::chrono::nanoseconds>(
			    std::chrono::steady_clock::now() - t0)
			    .count();
	}
	return r;
}

} // namespace traceloop
