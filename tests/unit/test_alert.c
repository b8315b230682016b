/* test_alert.c — the arithmetic and the words of alerts (alert_change.c)
 * and the email they send (net/smtp.c's message). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "alert/alert_change.h"
#include "net/smtp.h"

static void test_change_and_threshold(void **state)
{
	(void)state;
	/* the seeds' example: 4% of 100 is 96 or 104 */
	struct alert_change c = alert_change_of(100, 96);
	assert_true(c.has_percent);
	assert_true(c.percent > -4.0001 && c.percent < -3.9999);
	assert_true(alert_change_outside(&c, 4));
	assert_false(alert_change_outside(&c, 5));
	c = alert_change_of(100, 104);
	assert_true(alert_change_outside(&c, 4));
	c = alert_change_of(100, 103);
	assert_false(alert_change_outside(&c, 4));
	/* a third: the division is not exact, the threshold still holds */
	c = alert_change_of(3, 2);
	assert_false(alert_change_outside(&c, 34));
	assert_true(alert_change_outside(&c, 33));
	/* from nothing: no change, or no percent at all (always outside) */
	c = alert_change_of(0, 0);
	assert_true(c.has_percent);
	assert_false(alert_change_outside(&c, 1));
	c = alert_change_of(0, 5);
	assert_false(c.has_percent);
	assert_true(alert_change_outside(&c, 1000));
	/* all gone is -100% */
	c = alert_change_of(7, 0);
	assert_true(c.percent < -99.999 && c.percent > -100.001);
}

static void test_message(void **state)
{
	(void)state;
	struct ast_audience a = { .name = "cats" };
	const char *ch[] = { "ops" };
	struct ast_alert al = { .name = "shrink", .kind = ALERT_SIZE_CHANGE, .threshold = 20,
				.channels = ch, .nchannels = 1, .audience = &a };
	struct strbuf sb = STRBUF_INIT;
	struct alert_change c = alert_change_of(10, 7);
	alert_message(&al, &c, 20469, &sb); /* D = 2026-01-16 */
	assert_string_equal(sb.buf, "members of audience 'cats' went from 10 on 2026-01-14 to 7 on "
			    "2026-01-15 (-30.0%; alert 'shrink' fires at 20%)");
	sb_reset(&sb);
	al.kind = ALERT_EVENT_HEALTH;
	al.destination = "hook";
	c = alert_change_of(0, 4);
	alert_message(&al, &c, 20469, &sb);
	assert_string_equal(sb.buf, "events of audience 'cats' delivered to 'hook' went from 0 on "
			    "2026-01-14 to 4 on 2026-01-15 (up from none; alert 'shrink' fires at 20%)");
	sb_release(&sb);
	char d[16];
	alert_day_text(0, d);
	assert_string_equal(d, "1970-01-01");
}

static void test_smtp_message(void **state)
{
	(void)state;
	struct smtp_mail m = { .from = "lac@example.com", .to = "ops@example.com",
			       .subject = "lac alert", .body = "line one\nline two",
			       .date = "Fri, 16 Jan 2026 00:05:00 +0000" };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	assert_int_equal(smtp_message(&m, &out, &err), 0);
	assert_string_equal(out.buf, "Date: Fri, 16 Jan 2026 00:05:00 +0000\r\n"
			    "From: <lac@example.com>\r\nTo: <ops@example.com>\r\nSubject: lac alert\r\n"
			    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
			    "line one\r\nline two\r\n");
	/* no header injection through an address or the subject */
	const char *bad_to[] = { "ops@example.com\r\nBcc: x@y", "nobody", "<a@b>", "" };
	for (size_t i = 0; i < sizeof(bad_to) / sizeof(bad_to[0]); i++) {
		sb_reset(&out);
		sb_reset(&err);
		m.to = bad_to[i];
		assert_int_equal(smtp_message(&m, &out, &err), -1);
		assert_string_equal(err.buf, "'to' is not one email address");
	}
	m.to = "ops@example.com";
	m.subject = "a\nBcc: x@y";
	sb_reset(&err);
	assert_int_equal(smtp_message(&m, &out, &err), -1);
	assert_string_equal(err.buf, "the subject must be one line");
	/* and no clear text: only smtp:// (with STARTTLS) or smtps:// */
	m.subject = "s";
	m.url = "http://mail.example.com";
	sb_reset(&err);
	assert_int_equal(smtp_send(&m, &err), -1);
	assert_string_equal(err.buf, "the smtp_url must start with smtp:// or smtps://");
	sb_release(&out);
	sb_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_change_and_threshold),
		cmocka_unit_test(test_message),
		cmocka_unit_test(test_smtp_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
