# SPDX-License-Identifier: GPL-2.0
#
# Turns asm_insns.txt ("MODE instruction" per line, MODE 16/32/64, with a
# trailing "!" when the decoder must refuse it) into an assembly file whose
# records the decoder test reads back:
#   .byte mode (| 0x80 when refused), length as the assembler measured it
#   .asciz "instruction text"
#   the instruction bytes themselves
# The length is a label difference, so it is whatever `as` emitted.
BEGIN {
	print "\t.section .rodata"
	print "\t.globl hvp_asm_cases"
	print "hvp_asm_cases:"
}
/^[ \t]*(#|$)/ { next }
{
	mode = $1
	refuse = 0
	if (mode ~ /!$/) {
		refuse = 128
		sub(/!$/, "", mode)
	}
	if (mode != "16" && mode != "32" && mode != "64") {
		printf "asm_insns.txt:%d: bad mode '%s'\n", NR, $1 > "/dev/stderr"
		exit 1
	}
	text = $0
	sub(/^[ \t]*[^ \t]+[ \t]+/, "", text)
	quoted = text
	gsub(/\\/, "\\\\", quoted)
	gsub(/"/, "\\\"", quoted)
	n++
	printf "\t.byte %d, .Le%d - .Ls%d\n", mode + refuse, n, n
	printf "\t.asciz \"%s\"\n", quoted
	printf "\t.code%s\n", mode
	printf ".Ls%d:\t%s\n", n, text
	printf ".Le%d:\n", n
}
END {
	print "\t.code64"
	print "\t.globl hvp_asm_cases_end"
	print "hvp_asm_cases_end:"
	print "\t.section .note.GNU-stack,\"\",@progbits"
}
