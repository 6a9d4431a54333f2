/* expect.h -- table-driven checks for cmocka tests: a failing row prints why and the test goes
 * on to the next row; EXPECT_NONE() at the end fails the test if any row failed. Include after
 * <cmocka.h>, once per test program. */
#ifndef DL_TEST_EXPECT_H
#define DL_TEST_EXPECT_H

static int failures;

#define EXPECT(cond, ...)                                               \
	do {                                                            \
		if (!(cond)) {                                          \
			print_error("%s:%d: ", __FILE__, __LINE__);     \
			print_error(__VA_ARGS__);                       \
			print_error("\n");                              \
			failures++;                                     \
		}                                                       \
	} while (0)
#define EXPECT_NONE() assert_int_equal(failures, 0)

static int
reset_failures(void **state)
{
	(void)state;
	failures = 0;
	return 0;
}

#define TEST(f) cmocka_unit_test_setup(f, reset_failures)

#endif
