// The addon's surface for tests and benchmarks, apart from what traceloop
// itself uses (addon.cc): the header's layout and constants, the ring reader
// on synthetic rings, the live merger alone, and the drain benchmark. Typed
// in src/native.ts.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <napi.h>

extern "C" {
#include "../bpf/traceloop.h"
}

#include "live_merger.h"
#include "outbox.h"
#include "records.h"
#include "ring_reader.h"
#include "synthetic.h"
#include "test_hooks.h"

namespace traceloop {
namespace {

#define LAYOUT_SIZE(o, T) o.Set("sizeof(struct " #T ")", static_cast<double>(sizeof(struct T)))
#define LAYOUT_FIELD(o, T, f) o.Set(#T "." #f, static_cast<double>(offsetof(struct T, f)))

Napi::Value Layout(const Napi::CallbackInfo &info)
{
	Napi::Object o = Napi::Object::New(info.Env());
	LAYOUT_SIZE(o, tl_hdr);
	LAYOUT_FIELD(o, tl_hdr, size);
	LAYOUT_FIELD(o, tl_hdr, type);
	LAYOUT_FIELD(o, tl_hdr, flags);
	LAYOUT_FIELD(o, tl_hdr, tid);
	LAYOUT_SIZE(o, tl_event);
	LAYOUT_FIELD(o, tl_event, seq);
	LAYOUT_FIELD(o, tl_event, cpu);
	LAYOUT_FIELD(o, tl_event, nr);
	LAYOUT_FIELD(o, tl_event, ts);
	LAYOUT_SIZE(o, tl_enter);
	LAYOUT_FIELD(o, tl_enter, pid);
	LAYOUT_FIELD(o, tl_enter, nargs);
	LAYOUT_FIELD(o, tl_enter, nparams);
	LAYOUT_FIELD(o, tl_enter, comm);
	LAYOUT_FIELD(o, tl_enter, args);
	LAYOUT_SIZE(o, tl_ring_enter);
	LAYOUT_FIELD(o, tl_ring_enter, pid);
	LAYOUT_FIELD(o, tl_ring_enter, nargs);
	LAYOUT_FIELD(o, tl_ring_enter, nparams);
	LAYOUT_FIELD(o, tl_ring_enter, comm_flags);
	LAYOUT_FIELD(o, tl_ring_enter, args);
	LAYOUT_SIZE(o, tl_comm_slot);
	LAYOUT_FIELD(o, tl_comm_slot, tid);
	LAYOUT_FIELD(o, tl_comm_slot, pos);
	LAYOUT_FIELD(o, tl_comm_slot, comm);
	LAYOUT_SIZE(o, tl_exit);
	LAYOUT_FIELD(o, tl_exit, ret);
	LAYOUT_FIELD(o, tl_exit, pid);
	LAYOUT_FIELD(o, tl_exit, nparams);
	LAYOUT_SIZE(o, tl_param);
	LAYOUT_FIELD(o, tl_param, arg);
	LAYOUT_FIELD(o, tl_param, status);
	LAYOUT_FIELD(o, tl_param, len);
	LAYOUT_FIELD(o, tl_param, want);
	LAYOUT_SIZE(o, tl_done);
	LAYOUT_FIELD(o, tl_done, size);
	LAYOUT_FIELD(o, tl_done, type);
	LAYOUT_FIELD(o, tl_done, flags);
	LAYOUT_FIELD(o, tl_done, duration);
	LAYOUT_FIELD(o, tl_done, ret);
	LAYOUT_SIZE(o, tl_done_short);
	LAYOUT_FIELD(o, tl_done_short, size);
	LAYOUT_FIELD(o, tl_done_short, type);
	LAYOUT_FIELD(o, tl_done_short, flags);
	LAYOUT_FIELD(o, tl_done_short, ret);
	LAYOUT_FIELD(o, tl_done_short, duration);
	LAYOUT_SIZE(o, tl_open_call);
	LAYOUT_FIELD(o, tl_open_call, end);
	LAYOUT_FIELD(o, tl_open_call, ts);
	LAYOUT_FIELD(o, tl_open_call, tid);
	LAYOUT_FIELD(o, tl_open_call, nr);
	LAYOUT_FIELD(o, tl_open_call, moves);
	LAYOUT_FIELD(o, tl_open_call, cgroup_moves);
	LAYOUT_SIZE(o, tl_lost);
	LAYOUT_FIELD(o, tl_lost, cpu);
	LAYOUT_FIELD(o, tl_lost, count);
	LAYOUT_FIELD(o, tl_lost, ts_from);
	LAYOUT_FIELD(o, tl_lost, ts_to);
	LAYOUT_SIZE(o, tl_ring_ctrl);
	LAYOUT_FIELD(o, tl_ring_ctrl, head);
	LAYOUT_FIELD(o, tl_ring_ctrl, emitted);
	LAYOUT_FIELD(o, tl_ring_ctrl, failed);
	LAYOUT_FIELD(o, tl_ring_ctrl, faults);
	LAYOUT_FIELD(o, tl_ring_ctrl, busy);
	LAYOUT_FIELD(o, tl_ring_ctrl, trig_seq);
	LAYOUT_FIELD(o, tl_ring_ctrl, published);
	LAYOUT_FIELD(o, tl_ring_ctrl, last_ts);
	LAYOUT_FIELD(o, tl_ring_ctrl, trig_count);
	LAYOUT_FIELD(o, tl_ring_ctrl, trig_last);
	LAYOUT_FIELD(o, tl_ring_ctrl, open);
	LAYOUT_FIELD(o, tl_ring_ctrl, comms);
	LAYOUT_FIELD(o, tl_ring_ctrl, page_start);
	LAYOUT_SIZE(o, tl_capture);
	LAYOUT_FIELD(o, tl_capture, kind);
	LAYOUT_FIELD(o, tl_capture, arg);
	LAYOUT_FIELD(o, tl_capture, len_arg);
	LAYOUT_FIELD(o, tl_capture, size);
	LAYOUT_SIZE(o, tl_rule);
	LAYOUT_FIELD(o, tl_rule, nargs);
	LAYOUT_FIELD(o, tl_rule, one_buffer);
	LAYOUT_FIELD(o, tl_rule, one_result);
	LAYOUT_FIELD(o, tl_rule, cap);
	LAYOUT_SIZE(o, tl_iov_part);
	LAYOUT_FIELD(o, tl_iov_part, iov_len);
	LAYOUT_FIELD(o, tl_iov_part, len);
	LAYOUT_FIELD(o, tl_iov_part, status);
	LAYOUT_SIZE(o, tl_msg_part);
	LAYOUT_FIELD(o, tl_msg_part, name);
	LAYOUT_FIELD(o, tl_msg_part, namelen);
	LAYOUT_FIELD(o, tl_msg_part, flags);
	LAYOUT_FIELD(o, tl_msg_part, iov);
	LAYOUT_FIELD(o, tl_msg_part, iovlen);
	LAYOUT_FIELD(o, tl_msg_part, control);
	LAYOUT_FIELD(o, tl_msg_part, controllen);
	LAYOUT_FIELD(o, tl_msg_part, name_len);
	LAYOUT_FIELD(o, tl_msg_part, control_len);
	LAYOUT_FIELD(o, tl_msg_part, name_status);
	LAYOUT_FIELD(o, tl_msg_part, control_status);
	LAYOUT_SIZE(o, tl_fdsets_part);
	LAYOUT_FIELD(o, tl_fdsets_part, nbits);
	LAYOUT_FIELD(o, tl_fdsets_part, status);
	LAYOUT_FIELD(o, tl_fdsets_part, timeout_status);
	LAYOUT_FIELD(o, tl_fdsets_part, timeout);
	LAYOUT_SIZE(o, tl_mmsg_part);
	LAYOUT_FIELD(o, tl_mmsg_part, msg_len);
	LAYOUT_FIELD(o, tl_mmsg_part, bytes);
	LAYOUT_FIELD(o, tl_mmsg_part, msg);
	LAYOUT_SIZE(o, tl_new_fd);
	LAYOUT_FIELD(o, tl_new_fd, ino);
	LAYOUT_FIELD(o, tl_new_fd, fd);
	LAYOUT_FIELD(o, tl_new_fd, mode);
	LAYOUT_FIELD(o, tl_new_fd, reserved);
	LAYOUT_SIZE(o, tl_dirents_part);
	LAYOUT_FIELD(o, tl_dirents_part, count);
	LAYOUT_SIZE(o, tl_keyed_key);
	LAYOUT_FIELD(o, tl_keyed_key, nr);
	LAYOUT_FIELD(o, tl_keyed_key, selector);
	return o;
}

uint64_t u64_field(Napi::Object o, const char *key)
{
	bool lossless = false;
	Napi::Value v = o.Get(key);
	return v.IsBigInt() ? v.As<Napi::BigInt>().Uint64Value(&lossless) : 0;
}

// readRing(element, ringBytes, inflightBytes, cpu, state|null): the very
// reader poll() uses, on a synthetic element, for unit tests.
Napi::Value ReadRing(const Napi::CallbackInfo &info)
{
	Napi::Env env = info.Env();
	if (info.Length() < 5 || !info[0].IsBuffer())
		throw Napi::TypeError::New(
		    env, "readRing(element, ringBytes, inflightBytes, cpu, state)");
	auto element = info[0].As<Napi::Buffer<uint8_t>>();
	RingGeometry geo;
	geo.ring_bytes = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
	geo.ctrl_bytes = ctrl_bytes_for(geo.ring_bytes);
	geo.inflight_bytes = static_cast<uint64_t>(info[2].As<Napi::Number>().Int64Value());
	const uint32_t cpu = info[3].As<Napi::Number>().Uint32Value();
	if (element.Length() < geo.ctrl_bytes + geo.ring_bytes)
		throw Napi::RangeError::New(env, "element is smaller than control block + ring");

	RingState state;
	if (info[4].IsObject()) {
		Napi::Object s = info[4].As<Napi::Object>();
		state.pos = u64_field(s, "pos");
		state.next_seq = u64_field(s, "nextSeq");
		state.last_ts = u64_field(s, "lastTs");
		state.failed_seen = u64_field(s, "failedSeen");
		state.delivered = s.Get("delivered").As<Napi::Number>().Int64Value();
		state.lost = s.Get("lost").As<Napi::Number>().Int64Value();
		state.open_end = u64_field(s, "openEnd");
		state.open_seq = u64_field(s, "openSeq");
		state.open_ts = u64_field(s, "openTs");
		state.open_tid = s.Get("openTid").As<Napi::Number>().Uint32Value();
		state.open_pid = s.Get("openPid").As<Napi::Number>().Uint32Value();
		state.open_nr =
		    static_cast<uint16_t>(s.Get("openNr").As<Napi::Number>().Uint32Value());
		Napi::Value comms = s.Get("comms");
		if (comms.IsArray()) {
			auto a = comms.As<Napi::Array>();
			for (uint32_t i = 0; i < a.Length(); i++) {
				auto pair = a.Get(i).As<Napi::Array>();
				auto bytes = pair.Get(1u).As<Napi::Buffer<uint8_t>>();
				std::array<char, 16> c{};
				std::memcpy(c.data(), bytes.Data(),
					    std::min<size_t>(16, bytes.Length()));
				state.comms.set(pair.Get(0u).As<Napi::Number>().Uint32Value(),
						c.data());
			}
		}
	}
	CpuBatch batch;
	batch.cpu = cpu;
	read_ring(element.Data(), geo, cpu, state, batch);
	std::vector<uint8_t> merged;
	LiveMerger one(cpu + 1);
	one.add(std::move(batch), 0);
	one.flush(merged);

	Napi::Object s = Napi::Object::New(env);
	s.Set("pos", Napi::BigInt::New(env, state.pos));
	s.Set("nextSeq", Napi::BigInt::New(env, state.next_seq));
	s.Set("lastTs", Napi::BigInt::New(env, state.last_ts));
	s.Set("failedSeen", Napi::BigInt::New(env, state.failed_seen));
	s.Set("delivered", static_cast<double>(state.delivered));
	s.Set("lost", static_cast<double>(state.lost));
	s.Set("openEnd", Napi::BigInt::New(env, state.open_end));
	s.Set("openSeq", Napi::BigInt::New(env, state.open_seq));
	s.Set("openTs", Napi::BigInt::New(env, state.open_ts));
	s.Set("openTid", static_cast<double>(state.open_tid));
	s.Set("openPid", static_cast<double>(state.open_pid));
	s.Set("openNr", static_cast<double>(state.open_nr));
	Napi::Array comms = Napi::Array::New(env, state.comms.all().size());
	uint32_t i = 0;
	for (const auto &[tid, c] : state.comms.all()) {
		Napi::Array pair = Napi::Array::New(env, 2);
		pair.Set(0u, static_cast<double>(tid));
		pair.Set(1u, Napi::Buffer<uint8_t>::Copy(
				 env, reinterpret_cast<const uint8_t *>(c.data()), c.size()));
		comms.Set(i++, pair);
	}
	s.Set("comms", comms);
	Napi::Object o = Napi::Object::New(env);
	o.Set("records", Napi::Buffer<uint8_t>::Copy(env, merged.data(), merged.size()));
	o.Set("state", s);
	return o;
}

// new LiveMerger(ncpus): the drain's merger, for unit and property tests.
// add(cpu, records, readTimeNs) takes one read's records (as readRing
// returns them); release(slackNs) and flush() return the merged stream.
class LiveMergerWrap : public Napi::ObjectWrap<LiveMergerWrap> {
public:
	static Napi::Function Define(Napi::Env env)
	{
		return DefineClass(env, "LiveMerger",
				   {InstanceMethod("add", &LiveMergerWrap::Add),
				    InstanceMethod("release", &LiveMergerWrap::Release),
				    InstanceMethod("flush", &LiveMergerWrap::Flush),
				    InstanceMethod("watermark", &LiveMergerWrap::Watermark)});
	}
	explicit LiveMergerWrap(const Napi::CallbackInfo &info)
	    : Napi::ObjectWrap<LiveMergerWrap>(info),
	      merger_(info[0].As<Napi::Number>().Uint32Value())
	{
	}

private:
	Napi::Value Add(const Napi::CallbackInfo &info)
	{
		CpuBatch batch;
		batch.cpu = info[0].As<Napi::Number>().Uint32Value();
		auto buf = info[1].As<Napi::Buffer<uint8_t>>();
		bool lossless;
		const uint64_t read_time = info[2].As<Napi::BigInt>().Uint64Value(&lossless);
		batch.bytes.assign(buf.Data(), buf.Data() + buf.Length());
		// One item per event with its params, or per marker.
		const bool ok =
		    for_each_record(batch.bytes.data(), batch.bytes.size(), [&](const RecordAt &r) {
			    if (r.hdr.type == TL_REC_PARAM && !batch.items.empty())
				    batch.items.back().len += r.hdr.size;
			    else if (r.hdr.type == TL_REC_ENTER || r.hdr.type == TL_REC_EXIT ||
				     r.hdr.type == TL_REC_LOST)
				    batch.items.push_back(
					{r.ts, static_cast<uint32_t>(r.offset), r.hdr.size});
		    });
		if (!ok)
			throw Napi::Error::New(info.Env(), "malformed record");
		merger_.add(std::move(batch), read_time);
		return info.Env().Undefined();
	}
	Napi::Value Release(const Napi::CallbackInfo &info)
	{
		bool lossless;
		std::vector<uint8_t> out;
		merger_.release(info[0].As<Napi::BigInt>().Uint64Value(&lossless), out);
		return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
	}
	Napi::Value Flush(const Napi::CallbackInfo &info)
	{
		std::vector<uint8_t> out;
		merger_.flush(out);
		return Napi::Buffer<uint8_t>::Copy(info.Env(), out.data(), out.size());
	}
	Napi::Value Watermark(const Napi::CallbackInfo &info)
	{
		return Napi::BigInt::New(info.Env(), merger_.watermark());
	}

	LiveMerger merger_;
};

// new Outbox(maxBytes): the drain's hand-off to JS without a drain, so a
// test can drop batches through it and compare its markers with a /stream's
// (test/loss-ledger.test.ts). push(id, records) -> wake JS?; take() ->
// [[id, records], ...]; dropped(id) -> events owed as "consumer behind".
class OutboxWrap : public Napi::ObjectWrap<OutboxWrap> {
public:
	static Napi::Function Define(Napi::Env env)
	{
		return DefineClass(env, "Outbox",
				   {InstanceMethod("push", &OutboxWrap::Push),
				    InstanceMethod("take", &OutboxWrap::Take),
				    InstanceMethod("dropped", &OutboxWrap::Dropped),
				    InstanceMethod("forget", &OutboxWrap::Forget),
				    InstanceMethod("ledgers", &OutboxWrap::Ledgers)});
	}
	explicit OutboxWrap(const Napi::CallbackInfo &info)
	    : Napi::ObjectWrap<OutboxWrap>(info),
	      outbox_(static_cast<size_t>(info[0].As<Napi::Number>().DoubleValue()))
	{
	}

private:
	static uint64_t id_of(const Napi::Value &v)
	{
		bool lossless;
		return v.As<Napi::BigInt>().Uint64Value(&lossless);
	}
	Napi::Value Push(const Napi::CallbackInfo &info)
	{
		auto buf = info[1].As<Napi::Buffer<uint8_t>>();
		std::vector<uint8_t> records(buf.Data(), buf.Data() + buf.Length());
		return Napi::Boolean::New(info.Env(),
					  outbox_.push(id_of(info[0]), std::move(records)));
	}
	Napi::Value Take(const Napi::CallbackInfo &info)
	{
		Napi::Env env = info.Env();
		const Outbox::Batches taken = outbox_.take();
		Napi::Array out = Napi::Array::New(env, taken.size());
		for (size_t i = 0; i < taken.size(); i++) {
			Napi::Array pair = Napi::Array::New(env, 2);
			pair.Set(0u, Napi::BigInt::New(env, taken[i].first));
			pair.Set(1u, Napi::Buffer<uint8_t>::Copy(env, taken[i].second.data(),
								 taken[i].second.size()));
			out.Set(i, pair);
		}
		return out;
	}
	Napi::Value Dropped(const Napi::CallbackInfo &info)
	{
		return Napi::Number::New(info.Env(),
					 static_cast<double>(outbox_.dropped(id_of(info[0]))));
	}

	Napi::Value Forget(const Napi::CallbackInfo &info)
	{
		outbox_.forget(id_of(info[0]));
		return info.Env().Undefined();
	}
	Napi::Value Ledgers(const Napi::CallbackInfo &info)
	{
		return Napi::Number::New(info.Env(), static_cast<double>(outbox_.ledgers()));
	}

	Outbox outbox_;
};

// benchDrain(ncpus, ringBytes, iterations): the reader and the merger on
// synthetic full rings (bench/drain.mjs).
Napi::Value BenchDrain(const Napi::CallbackInfo &info)
{
	const DrainBenchResult r = bench_drain(info[0].As<Napi::Number>().Uint32Value(),
					       info[1].As<Napi::Number>().Int64Value(),
					       info[2].As<Napi::Number>().Uint32Value());
	Napi::Object o = Napi::Object::New(info.Env());
	o.Set("events", static_cast<double>(r.events));
	o.Set("ns", static_cast<double>(r.ns));
	return o;
}

// For every capture kind a byte can name: the sets the programs test with
// bit masks (TL_KINDS_*), next to tl_family_of, which the loader uses; for
// test/wire-layout.test.ts, which holds the two to each other.
Napi::Value KindSets(const Napi::CallbackInfo &info)
{
	Napi::Array a = Napi::Array::New(info.Env());
	for (uint32_t kind = 0; kind < 256; kind++) {
		Napi::Object o = Napi::Object::New(info.Env());
		o.Set("kind", static_cast<double>(kind));
		o.Set("family", static_cast<double>(tl_family_of(kind)));
		o.Set("compound", tl_kind_in(TL_KINDS_COMPOUND, kind) != 0);
		o.Set("withoutPointer", tl_kind_in(TL_KINDS_WITHOUT_POINTER, kind) != 0);
		a.Set(kind, o);
	}
	return a;
}

// The values of the header's constants (defines and enums), for
// test/wire-layout.test.ts: src/wire.ts mirrors them by hand.
Napi::Value Constants(const Napi::CallbackInfo &info)
{
	Napi::Object o = Napi::Object::New(info.Env());
#define TL_CONSTANT(name) o.Set(#name, static_cast<double>(name))
	TL_CONSTANT(TL_MAX_CGROUPS);
	TL_CONSTANT(TL_FILTER_BITS);
	TL_CONSTANT(TL_MAX_SYSCALLS);
	TL_CONSTANT(TL_MAX_ARGS);
	TL_CONSTANT(TL_MAX_PARAMS);
	TL_CONSTANT(TL_COMM_LEN);
	TL_CONSTANT(TL_PAGE_SHIFT);
	TL_CONSTANT(TL_PAGE_SIZE);
	TL_CONSTANT(TL_MAX_CAPTURE);
	TL_CONSTANT(TL_PATH_MAX);
	TL_CONSTANT(TL_MIN_RING_BYTES);
	TL_CONSTANT(TL_MAX_RING_BYTES);
	TL_CONSTANT(TL_ALIGN);
	TL_CONSTANT(TL_FLAG_LATE);
	TL_CONSTANT(TL_FLAG_COMM_LATER);
	TL_CONSTANT(TL_FLAG_IA32);
	TL_CONSTANT(TL_FLAG_OOM);
	TL_CONSTANT(TL_COMM_NAMED);
	TL_CONSTANT(TL_COMM_SAME);
	TL_CONSTANT(TL_COMM_RENAMED);
	TL_CONSTANT(TL_COMM_SLOTS);
	TL_CONSTANT(TL_COMM_REFRESH_SHIFT);
	TL_CONSTANT(TL_RING_ENTER_MAX);
	TL_CONSTANT(TL_CTRL_FIXED_BYTES);
	TL_CONSTANT(TL_STRV_MAX_COUNT);
	TL_CONSTANT(TL_PART_NULL);
	TL_CONSTANT(TL_PART_UNREAD);
	TL_CONSTANT(TL_IOV_MAX);
	TL_CONSTANT(TL_MSG_PART_MAX);
	TL_CONSTANT(TL_FDSET_MAX_BITS);
	TL_CONSTANT(TL_DIRENTS_MAX_STEPS);
	TL_CONSTANT(TL_MMSG_MAX);
	TL_CONSTANT(TL_MAX_KEYED);
	TL_CONSTANT(TL_REC_PAD);
	TL_CONSTANT(TL_REC_ENTER);
	TL_CONSTANT(TL_REC_EXIT);
	TL_CONSTANT(TL_REC_PARAM);
	TL_CONSTANT(TL_REC_DONE);
	TL_CONSTANT(TL_REC_DONE_SHORT);
	TL_CONSTANT(TL_REC_LOST);
	TL_CONSTANT(TL_NR_PROC_END);
	TL_CONSTANT(TL_NR_SIGNAL);
	TL_CONSTANT(TL_SIGINFO_BYTES);
	TL_CONSTANT(TL_PARAM_OK);
	TL_CONSTANT(TL_PARAM_FAULT);
	TL_CONSTANT(TL_PARAM_TRUNCATED);
	TL_CONSTANT(TL_LOST_OVERWRITTEN);
	TL_CONSTANT(TL_LOST_BUSY);
	TL_CONSTANT(TL_LOST_TORN);
	TL_CONSTANT(TL_LOST_CONSUMER);
	TL_CONSTANT(TL_LOST_GONE);
	TL_CONSTANT(TL_TRIG_CRASH);
	TL_CONSTANT(TL_TRIG_EXIT);
	TL_CONSTANT(TL_TRIG_ERRNO);
	TL_CONSTANT(TL_TRIG_KINDS);
	TL_CONSTANT(TL_TRIG_OOM);
	TL_CONSTANT(TL_TRIG_ERRNO_BITS);
	TL_CONSTANT(TL_CAP_NONE);
	TL_CONSTANT(TL_CAP_STR);
	TL_CONSTANT(TL_CAP_BUF_ARGLEN);
	TL_CONSTANT(TL_CAP_BUF_RETLEN);
	TL_CONSTANT(TL_CAP_STRUCT_ENTER);
	TL_CONSTANT(TL_CAP_STRUCT_EXIT);
	TL_CONSTANT(TL_CAP_BUF_ARGLEN_EXIT);
	TL_CONSTANT(TL_CAP_STRV);
	TL_CONSTANT(TL_CAP_IOV);
	TL_CONSTANT(TL_CAP_IOV_EXIT);
	TL_CONSTANT(TL_CAP_MSG);
	TL_CONSTANT(TL_CAP_MSG_EXIT);
	TL_CONSTANT(TL_CAP_FDSETS);
	TL_CONSTANT(TL_CAP_FDSETS_EXIT);
	TL_CONSTANT(TL_CAP_DIRENTS);
	TL_CONSTANT(TL_CAP_KEYED);
	TL_CONSTANT(TL_CAP_STRUCT_INOUT);
	TL_CONSTANT(TL_CAP_MMSG_EXIT);
	TL_CONSTANT(TL_FAM_KEYED);
	TL_CONSTANT(TL_FAM_STRV);
	TL_CONSTANT(TL_FAM_IOV);
	TL_CONSTANT(TL_FAM_MSG);
	TL_CONSTANT(TL_FAM_FDSETS);
	TL_CONSTANT(TL_FAM_DIRENTS);
	TL_CONSTANT(TL_FAM_NEW_FDS);
	TL_CONSTANT(TL_CAP_NEW_FDS);
	TL_CONSTANT(TL_ARG_NEW_FDS);
	TL_CONSTANT(TL_NEW_FDS_MAX);
	TL_CONSTANT(TL_FAM_ALL);
#undef TL_CONSTANT
	return o;
}

} // namespace

void init_test_hooks(Napi::Env env, Napi::Object exports)
{
	exports.Set("layout", Napi::Function::New(env, Layout));
	exports.Set("constants", Napi::Function::New(env, Constants));
	exports.Set("kindSets", Napi::Function::New(env, KindSets));
	exports.Set("readRing", Napi::Function::New(env, ReadRing));
	exports.Set("LiveMerger", LiveMergerWrap::Define(env));
	exports.Set("Outbox", OutboxWrap::Define(env));
	exports.Set("benchDrain", Napi::Function::New(env, BenchDrain));
}

} // namespace traceloop
