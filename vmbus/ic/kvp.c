// SPDX-License-Identifier: GPL-2.0
/*
 * Key/value exchange: the VMM reads and writes the guest's KVP pools
 * (HVPART_VMBUS_KVP, e.g. `hvctl kvp`); on Linux the guest's side is the
 * hv_kvp_daemon of the hyperv-daemons package. Keys and values are UTF-8
 * for the VMM and UTF-16LE on the wire, sizes in bytes including the
 * terminating NUL (include/uapi/linux/hyperv.h: struct hv_kvp_msg).
 * The guest kernel gives its daemon 30 s per request; we wait 35.
 */
#include <linux/jiffies.h>
#include <linux/nls.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../../kmod/hvpart.h"
#include "ic.h"

#define KVP_TIMEOUT		(35 * HZ)
#define KVP_KEY_BYTES		512
#define KVP_VALUE_BYTES		2048
#define KVP_REG_SZ		1	/* value_type: a string */

struct kvp_value {
	u32 value_type;
	u32 key_size;
	u32 value_size;
	u8 key[KVP_KEY_BYTES];
	u8 value[KVP_VALUE_BYTES];
} __packed;

/* The message body: header, then the operation's part (enumerate has an index). */
struct kvp_msg {
	u8 operation;
	u8 pool;
	u16 pad;
	union {
		struct kvp_value data;		/* GET, SET */
		struct {
			u32 key_size;
			u8 key[KVP_KEY_BYTES];
		} __packed del;			/* DELETE */
		struct {
			u32 index;
			struct kvp_value data;
		} __packed enumerate;		/* ENUMERATE */
	} __packed body;
} __packed;

static const u32 kvp_versions[] = { IC_VERSION(4, 0), IC_VERSION(3, 0) };

/*
 * UTF-8 @s into UTF-16LE @out of @max bytes; the byte size with NUL, or
 * -EINVAL when it does not fit (a key cut short would name another key).
 * A UTF-8 byte gives at most one UTF-16 unit, so the whole string is
 * converted first and measured.
 */
static int kvp_to_utf16(const char *s, size_t slen, u8 *out, size_t max)
{
	wchar_t *tmp = kmalloc_array(slen + 1, sizeof(*tmp), GFP_KERNEL);
	int units;

	if (!tmp)
		return -ENOMEM;
	units = utf8s_to_utf16s(s, slen, UTF16_LITTLE_ENDIAN, tmp, slen + 1);
	if (units >= 0 && units > max / 2 - 1)
		units = -EINVAL;
	if (units >= 0) {
		memcpy(out, tmp, units * 2);
		out[units * 2] = 0;
		out[units * 2 + 1] = 0;
	}
	kfree(tmp);
	return units < 0 ? units : (units + 1) * 2;
}

/* UTF-16LE @in, @bytes long as the guest says but read only within its @field. */
static void kvp_to_utf8(const u8 *in, u32 bytes, u32 field, char *out, size_t max)
{
	int n = utf16s_to_utf8s((const wchar_t *)in, min_t(u32, bytes, field) / 2,
				UTF16_LITTLE_ENDIAN, out, max - 1);

	out[n < 0 ? 0 : n] = 0;
}

static void kvp_response(struct hvp_ic *ic, const struct ic_msg_hdr *hdr, const u8 *body, u32 len)
{
	hvp_ic_answer(ic, hdr, body, len);
}

static int kvp_build(struct kvp_msg *m, struct hvpart_vmbus_kvp *a)
{
	struct kvp_value *v = a->op == HVPART_KVP_OP_ENUMERATE ? &m->body.enumerate.data :
								  &m->body.data;
	size_t klen = strnlen(a->key, sizeof(a->key));
	size_t vlen = strnlen(a->value, sizeof(a->value));
	int n;

	if (klen == sizeof(a->key) || vlen == sizeof(a->value))
		return -EINVAL;
	m->operation = a->op;
	m->pool = a->pool;
	switch (a->op) {
	case HVPART_KVP_OP_ENUMERATE:
		m->body.enumerate.index = a->index;
		return 0;
	case HVPART_KVP_OP_DELETE:
		n = kvp_to_utf16(a->key, klen, m->body.del.key, KVP_KEY_BYTES);
		if (n < 0)
			return n;
		m->body.del.key_size = n;
		return 0;
	case HVPART_KVP_OP_SET:
		n = kvp_to_utf16(a->value, vlen, v->value, KVP_VALUE_BYTES);
		if (n < 0)
			return n;
		v->value_size = n;
		v->value_type = KVP_REG_SZ;
		fallthrough;
	case HVPART_KVP_OP_GET:
		n = kvp_to_utf16(a->key, klen, v->key, KVP_KEY_BYTES);
		if (n < 0)
			return n;
		v->key_size = n;
		return 0;
	default:
		return -EINVAL;
	}
}

int hvp_ic_kvp_ioctl(struct hvp_partition *part, void __user *uarg)
{
	struct hvp_ic *ic = hvp_ic_get(part, HVPART_VMBUS_IC_BIT_KVP);
	struct hvpart_vmbus_kvp *a;
	struct kvp_msg *m;
	int ret;

	a = memdup_user(uarg, sizeof(*a));
	if (IS_ERR(a))
		return PTR_ERR(a);
	ret = -EINVAL;
	if (a->rsvd0 || a->rsvd1 || a->pool >= HVPART_KVP_POOL_COUNT)
		goto out_free_a;
	ret = -ENODEV;
	if (!ic)
		goto out_free_a;
	ret = -ENOMEM;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		goto out_free_a;
	ret = kvp_build(m, a);
	if (ret)
		goto out_free_m;

	ret = mutex_lock_interruptible(&ic->request_lock);
	if (ret)
		goto out_free_m;
	ret = hvp_ic_request(ic, IC_MSG_KVP, m, sizeof(*m), KVP_TIMEOUT);
	if (!ret) {
		const struct kvp_msg *r = (const void *)ic->reply;
		const struct kvp_value *v = a->op == HVPART_KVP_OP_ENUMERATE ?
					    &r->body.enumerate.data : &r->body.data;

		a->status = ic->status;
		if (ic->reply_len >= sizeof(*r) && !a->status &&
		    (a->op == HVPART_KVP_OP_GET || a->op == HVPART_KVP_OP_ENUMERATE)) {
			kvp_to_utf8(v->value, v->value_size, KVP_VALUE_BYTES, a->value,
				    sizeof(a->value));
			if (a->op == HVPART_KVP_OP_ENUMERATE)
				kvp_to_utf8(v->key, v->key_size, KVP_KEY_BYTES, a->key,
					    sizeof(a->key));
		}
	}
	mutex_unlock(&ic->request_lock);
	if (!ret && copy_to_user(uarg, a, sizeof(*a)))
		ret = -EFAULT;
out_free_m:
	kfree(m);
out_free_a:
	kfree(a);
	return ret;
}

const struct hvp_ic_desc hvp_ic_kvp = {
	.name		= "kvp",
	.bit		= HVPART_VMBUS_IC_BIT_KVP,
	/* a9a0f4e7-5a45-4d96-b827-8a841e8c03e6 */
	.class_id	= { 0xe7, 0xf4, 0xa0, 0xa9, 0x45, 0x5a, 0x96, 0x4d,
			    0xb8, 0x27, 0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6 },
	.msg_type	= IC_MSG_KVP,
	.versions	= kvp_versions,
	.nr_versions	= ARRAY_SIZE(kvp_versions),
	.response	= kvp_response,
};
