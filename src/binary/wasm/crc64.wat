;; CRC-64 as Redis computes it (FORMATS.md §1.11: Jones polynomial, reflected, initial 0, no
;; final XOR), slicing by 8 on i64: about 1.7 times the speed of src/binary/crc64.ts, whose
;; 64-bit register is two int32 halves. The checksum worker (src/binary/crc64-worker.ts) reads
;; the file straight into this memory and folds it here.
;;
;; Memory: [0, 16384) eight tables of 256 i64 (built by $init), [16384, 16392) the result,
;; data from 16400 on (the caller grows the memory to fit it).
(module
  (memory (export "memory") 1)

  ;; Table 0: the register change for one byte; table k: the same byte followed by k zero bytes.
  (func $init
    (local $i i32) (local $bit i32) (local $k i32) (local $c i64) (local $prev i64)
    (loop $bytes
      (local.set $c (i64.extend_i32_u (local.get $i)))
      (local.set $bit (i32.const 0))
      (loop $bits
        (local.set $c (i64.xor (i64.shr_u (local.get $c) (i64.const 1))
          (i64.and (i64.sub (i64.const 0) (i64.and (local.get $c) (i64.const 1)))
                   (i64.const 0x95ac9329ac4bc9b5))))
        (local.set $bit (i32.add (local.get $bit) (i32.const 1)))
        (br_if $bits (i32.lt_u (local.get $bit) (i32.const 8))))
      (i64.store (i32.shl (local.get $i) (i32.const 3)) (local.get $c))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $bytes (i32.lt_u (local.get $i) (i32.const 256))))
    (local.set $k (i32.const 1))
    (loop $tables
      (local.set $i (i32.const 0))
      (loop $entries
        (local.set $prev (i64.load (i32.shl
          (i32.add (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 8)) (local.get $i)) (i32.const 3))))
        (i64.store (i32.shl (i32.add (i32.shl (local.get $k) (i32.const 8)) (local.get $i)) (i32.const 3))
          (i64.xor (i64.shr_u (local.get $prev) (i64.const 8))
            (i64.load (i32.shl (i32.wrap_i64 (i64.and (local.get $prev) (i64.const 0xff))) (i32.const 3)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $entries (i32.lt_u (local.get $i) (i32.const 256))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $tables (i32.lt_u (local.get $k) (i32.const 8)))))
  (start $init)

  ;; Folds [p, end) into the register (given as lo0, hi0 halves) and stores the result at 16384.
  (func (export "update") (param $p i32) (param $end i32) (param $lo0 i32) (param $hi0 i32)
    (local $c i64) (local $stop i32) (local $lo i32) (local $hi i32)
    (local.set $c (i64.or (i64.extend_i32_u (local.get $lo0)) (i64.shl (i64.extend_i32_u (local.get $hi0)) (i64.const 32))))
    (local.set $stop (i32.sub (local.get $end) (i32.const 8)))
    (block $tail
      (br_if $tail (i32.gt_s (local.get $p) (local.get $stop)))
      (loop $words
        (local.set $c (i64.xor (local.get $c) (i64.load (local.get $p))))
        (local.set $lo (i32.wrap_i64 (local.get $c)))
        (local.set $hi (i32.wrap_i64 (i64.shr_u (local.get $c) (i64.const 32))))
        ;; Byte j of the register (j = 0 is the lowest) looks up table 7 - j.
        (local.set $c (i64.xor (i64.xor (i64.xor (i64.load offset=14336 (i32.shl (i32.and (local.get $lo) (i32.const 0xff)) (i32.const 3)))
            (i64.load offset=12288 (i32.shl (i32.and (i32.shr_u (local.get $lo) (i32.const 8)) (i32.const 0xff)) (i32.const 3)))) (i64.xor (i64.load offset=10240 (i32.shl (i32.and (i32.shr_u (local.get $lo) (i32.const 16)) (i32.const 0xff)) (i32.const 3)))
            (i64.load offset=8192 (i32.shl (i32.shr_u (local.get $lo) (i32.const 24)) (i32.const 3))))) (i64.xor (i64.xor (i64.load offset=6144 (i32.shl (i32.and (local.get $hi) (i32.const 0xff)) (i32.const 3)))
            (i64.load offset=4096 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 8)) (i32.const 0xff)) (i32.const 3)))) (i64.xor (i64.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $hi) (i32.const 16)) (i32.const 0xff)) (i32.const 3)))
            (i64.load offset=0 (i32.shl (i32.shr_u (local.get $hi) (i32.const 24)) (i32.const 3)))))))
        (local.set $p (i32.add (local.get $p) (i32.const 8)))
        (br_if $words (i32.le_s (local.get $p) (local.get $stop)))))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $c (i64.xor (i64.shr_u (local.get $c) (i64.const 8))
          (i64.load (i32.shl (i32.and (i32.xor (i32.wrap_i64 (local.get $c)) (i32.load8_u (local.get $p))) (i32.const 0xff))
            (i32.const 3)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))
    (i64.store (i32.const 16384) (local.get $c)))
)
