;; LZF decompression (FORMATS.md §4.1) for src/binary/lzf-wasm.ts, checking every token exactly
;; as lzfDecompressInto in src/binary/lzf.ts does, in the same order.
;;
;; The caller lays out the linear memory:
;;   [0, 12)                 failure details, written only when decompress returns non-zero:
;;                           i32 at 0 = input position of the failing token (relative to `in`),
;;                           i32 at 4 and 8 = the two numbers the error message prints (below)
;;   [in, inEnd)             the compressed bytes, followed by at least 32 bytes of slack
;;   [out, outEnd)           room for exactly the declared output length, followed by at least
;;                           32 bytes of slack
;; Copies move 8 or 16 bytes at a time and may read up to 31 bytes past `inEnd` and write up to
;; 31 bytes past `outEnd` (the slack); bytes written past the current output position are
;; always rewritten before anything reads them, since a back-reference reads only bytes
;; already produced. (memory.copy and memory.fill are not used: for the at most 264 bytes of
;; one token they were measured slower than 16-byte loads and stores, as V8 calls out for them.)
;;
;; decompress returns 0 on success, or which check failed:
;;   1  literal run passes the end of the input        details: run length, input bytes left
;;   2  literal run overflows the output               details: output room left, run length
;;   3  back-reference cut off before its length byte  (no numbers)
;;   4  back-reference cut off before its offset byte  (no numbers)
;;   5  back-reference points before the output start  details: bytes produced, distance
;;   6  back-reference overflows the output            details: output room left, copy length
;;   7  output length differs from the declared one    details: declared length, produced length
(module
  (memory (export "memory") 1)

  ;; Records a failure's details and returns its code.
  (func $fail (param $code i32) (param $pos i32) (param $a i32) (param $b i32) (result i32)
    (i32.store (i32.const 0) (local.get $pos))
    (i32.store (i32.const 4) (local.get $a))
    (i32.store (i32.const 8) (local.get $b))
    (local.get $code))

  (func (export "decompress")
    (param $in i32) (param $inEnd i32) (param $out i32) (param $outEnd i32) (result i32)
    (local $ip i32)    ;; next input byte
    (local $op i32)    ;; next output byte
    (local $tok i32)   ;; where the current token starts
    (local $ctrl i32)  ;; the token's control byte
    (local $n i32)     ;; bytes the token produces
    (local $dist i32)  ;; back-reference distance (1 … 8192)
    (local $from i32)  ;; back-reference source cursor
    (local $end i32)   ;; output position after the token
    (local $fill v128) ;; a byte repeated 16 times, for a run of one byte
    (local.set $ip (local.get $in))
    (local.set $op (local.get $out))
    (block $done
      (loop $token
        (br_if $done (i32.ge_u (local.get $ip) (local.get $inEnd)))
        (local.set $tok (local.get $ip))
        (local.set $ctrl (i32.load8_u (local.get $ip)))
        (local.set $ip (i32.add (local.get $ip) (i32.const 1)))

        ;; 000LLLLL: a literal run of L+1 bytes that follow.
        (if (i32.lt_u (local.get $ctrl) (i32.const 32))
          (then
            (local.set $n (i32.add (local.get $ctrl) (i32.const 1)))
            (if (i32.gt_u (local.get $n) (i32.sub (local.get $inEnd) (local.get $ip)))
              (then (return (call $fail (i32.const 1) (i32.sub (local.get $tok) (local.get $in))
                (local.get $n) (i32.sub (local.get $inEnd) (local.get $ip))))))
            (if (i32.gt_u (local.get $n) (i32.sub (local.get $outEnd) (local.get $op)))
              (then (return (call $fail (i32.const 2) (i32.sub (local.get $tok) (local.get $in))
                (i32.sub (local.get $outEnd) (local.get $op)) (local.get $n)))))
            ;; A run is at most 32 bytes: copy 32 whatever its length (the slack takes the rest).
            (v128.store (local.get $op) (v128.load (local.get $ip)))
            (v128.store offset=16 (local.get $op) (v128.load offset=16 (local.get $ip)))
            (local.set $ip (i32.add (local.get $ip) (local.get $n)))
            (local.set $op (i32.add (local.get $op) (local.get $n)))
            (br $token)))

        ;; LLLooooo oooooooo (L = 1 … 6) or 111ooooo LLLLLLLL oooooooo: copy L+2 bytes
        ;; (L = 7 + the length byte in the long form) from distance o+1.
        (local.set $n (i32.shr_u (local.get $ctrl) (i32.const 5)))
        (if (i32.eq (local.get $n) (i32.const 7))
          (then
            (if (i32.ge_u (local.get $ip) (local.get $inEnd))
              (then (return (call $fail (i32.const 3) (i32.sub (local.get $tok) (local.get $in))
                (i32.const 0) (i32.const 0)))))
            (local.set $n (i32.add (local.get $n) (i32.load8_u (local.get $ip))))
            (local.set $ip (i32.add (local.get $ip) (i32.const 1)))))
        (if (i32.ge_u (local.get $ip) (local.get $inEnd))
          (then (return (call $fail (i32.const 4) (i32.sub (local.get $tok) (local.get $in))
            (i32.const 0) (i32.const 0)))))
        (local.set $dist (i32.add
          (i32.or (i32.shl (i32.and (local.get $ctrl) (i32.const 0x1f)) (i32.const 8))
                  (i32.load8_u (local.get $ip)))
          (i32.const 1)))
        (local.set $ip (i32.add (local.get $ip) (i32.const 1)))
        (local.set $n (i32.add (local.get $n) (i32.const 2)))
        (if (i32.gt_u (local.get $dist) (i32.sub (local.get $op) (local.get $out)))
          (then (return (call $fail (i32.const 5) (i32.sub (local.get $tok) (local.get $in))
            (i32.sub (local.get $op) (local.get $out)) (local.get $dist)))))
        (if (i32.gt_u (local.get $n) (i32.sub (local.get $outEnd) (local.get $op)))
          (then (return (call $fail (i32.const 6) (i32.sub (local.get $tok) (local.get $in))
            (i32.sub (local.get $outEnd) (local.get $op)) (local.get $n)))))
        (local.set $from (i32.sub (local.get $op) (local.get $dist)))
        (local.set $end (i32.add (local.get $op) (local.get $n)))
        (block $copied
          ;; 16 bytes or more behind: every 16-byte block read is already final.
          (if (i32.ge_u (local.get $dist) (i32.const 16))
            (then
              (loop $blocks
                (v128.store (local.get $op) (v128.load (local.get $from)))
                (local.set $op (i32.add (local.get $op) (i32.const 16)))
                (local.set $from (i32.add (local.get $from) (i32.const 16)))
                (br_if $blocks (i32.lt_u (local.get $op) (local.get $end))))
              (br $copied)))
          ;; A run of one repeated byte.
          (if (i32.eq (local.get $dist) (i32.const 1))
            (then
              (local.set $fill (i8x16.splat (i32.load8_u (local.get $from))))
              (loop $fills
                (v128.store (local.get $op) (local.get $fill))
                (local.set $op (i32.add (local.get $op) (i32.const 16)))
                (br_if $fills (i32.lt_u (local.get $op) (local.get $end))))
              (br $copied)))
          ;; 8 to 15 bytes behind: 8-byte words.
          (if (i32.ge_u (local.get $dist) (i32.const 8))
            (then
              (loop $words
                (i64.store (local.get $op) (i64.load (local.get $from)))
                (local.set $op (i32.add (local.get $op) (i32.const 8)))
                (local.set $from (i32.add (local.get $from) (i32.const 8)))
                (br_if $words (i32.lt_u (local.get $op) (local.get $end))))
              (br $copied)))
          ;; 2 to 7 bytes behind: the copy repeats a short pattern, byte by byte.
          (loop $bytes
            (i32.store8 (local.get $op) (i32.load8_u (local.get $from)))
            (local.set $op (i32.add (local.get $op) (i32.const 1)))
            (local.set $from (i32.add (local.get $from) (i32.const 1)))
            (br_if $bytes (i32.lt_u (local.get $op) (local.get $end)))))
        (local.set $op (local.get $end))
        (br $token)))

    (if (i32.ne (local.get $op) (local.get $outEnd))
      (then (return (call $fail (i32.const 7) (i32.const 0)
        (i32.sub (local.get $outEnd) (local.get $out)) (i32.sub (local.get $op) (local.get $out))))))
    (i32.const 0))
)
