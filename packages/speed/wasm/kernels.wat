;; The project's hand-written f32x4 SIMD kernels, run on the memory of TF.js's wasm backend
;; (imported, so they read tensors where they are and write fresh outputs there). All pointers are
;; byte offsets into that memory. Assembled by scripts/build-wasm.mjs (wabt's wat2wasm) into
;; packages/speed/src/simd-wasm.ts; every scalar tail computes exactly as the lanes.
;;
;; adam:    m' = b1·m + (1−b1)·g,  v' = b2·v + (1−b2)·(g·g),  p' = p − lr·m' / (√v' + eps)
;; sumrows: out[o, j] = Σ_i x[o, i, j] for x [outer, rows, cols] (a sum over the rows of each of
;;          `outer` matrices), accumulated row by row in blocks of 1024 columns that stay in cache.
;; transpose: out[b, j, i] = x[b, i, j] for x [batch, rows, cols] (32-bit elements): 4 x 4 blocks
;;          transposed in registers (eight shuffles), in column blocks of 256 so that the 256 output
;;          rows a strip of 4 input rows writes to stay in cache; scalar tails. A copy: exact.
;; biasact: out[o, i, j] = x[o, i, j] + bias[o, j], then max(·, 0) when relu ≠ 0 (a dense layer's
;;          bias and ReLU in one pass: the same float32 add and max as TF.js's Add and Relu).
;; relugrad: out = dy · s, s = 1 where y > 0 else 0 (ReLU's backward from its output: TF.js's
;;          Step then Multiply, one pass; the product keeps the sign of a zero as theirs does).
(module
  (import "env" "memory" (memory 0))
  (func (export "adam")
    (param $g i32) (param $p i32) (param $m i32) (param $v i32)
    (param $mo i32) (param $vo i32) (param $po i32) (param $n i32)
    (param $b1 f32) (param $b2 f32) (param $lr f32) (param $eps f32)
    (local $off i32) (local $end4 i32) (local $end i32)
    (local $c1 f32) (local $c2 f32)
    (local $vb1 v128) (local $vc1 v128) (local $vb2 v128) (local $vc2 v128) (local $vlr v128) (local $veps v128)
    (local $gj v128) (local $mj v128) (local $vj v128)
    (local $sg f32) (local $sm f32) (local $sv f32)
    (local.set $c1 (f32.sub (f32.const 1) (local.get $b1)))
    (local.set $c2 (f32.sub (f32.const 1) (local.get $b2)))
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $vlr (f32x4.splat (local.get $lr)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    ;; byte ends: all four-lane groups, then every element
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $off (i32.const 0))
    (block $done4
      (loop $lanes
        (br_if $done4 (i32.ge_u (local.get $off) (local.get $end4)))
        (local.set $gj (v128.load (i32.add (local.get $g) (local.get $off))))
        (local.set $mj (f32x4.add
          (f32x4.mul (local.get $vb1) (v128.load (i32.add (local.get $m) (local.get $off))))
          (f32x4.mul (local.get $vc1) (local.get $gj))))
        (local.set $vj (f32x4.add
          (f32x4.mul (local.get $vb2) (v128.load (i32.add (local.get $v) (local.get $off))))
          (f32x4.mul (local.get $vc2) (f32x4.mul (local.get $gj) (local.get $gj)))))
        (v128.store (i32.add (local.get $mo) (local.get $off)) (local.get $mj))
        (v128.store (i32.add (local.get $vo) (local.get $off)) (local.get $vj))
        (v128.store (i32.add (local.get $po) (local.get $off))
          (f32x4.sub
            (v128.load (i32.add (local.get $p) (local.get $off)))
            (f32x4.div (f32x4.mul (local.get $vlr) (local.get $mj))
                       (f32x4.add (f32x4.sqrt (local.get $vj)) (local.get $veps)))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $lanes)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $sg (f32.load (i32.add (local.get $g) (local.get $off))))
        (local.set $sm (f32.add
          (f32.mul (local.get $b1) (f32.load (i32.add (local.get $m) (local.get $off))))
          (f32.mul (local.get $c1) (local.get $sg))))
        (local.set $sv (f32.add
          (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $off))))
          (f32.mul (local.get $c2) (f32.mul (local.get $sg) (local.get $sg)))))
        (f32.store (i32.add (local.get $mo) (local.get $off)) (local.get $sm))
        (f32.store (i32.add (local.get $vo) (local.get $off)) (local.get $sv))
        (f32.store (i32.add (local.get $po) (local.get $off))
          (f32.sub
            (f32.load (i32.add (local.get $p) (local.get $off)))
            (f32.div (f32.mul (local.get $lr) (local.get $sm))
                     (f32.add (f32.sqrt (local.get $sv)) (local.get $eps)))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $tail))))
  (func (export "sumrows")
    (param $x i32) (param $out i32) (param $outer i32) (param $rows i32) (param $cols i32)
    (local $o i32) (local $i i32) (local $j0 i32) (local $j1 i32) (local $j i32) (local $j4 i32)
    (local $rowBytes i32) (local $xo i32) (local $oo i32) (local $src i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $o (i32.const 0))
    (block $doneO
      (loop $outerLoop
        (br_if $doneO (i32.ge_u (local.get $o) (local.get $outer)))
        ;; this matrix and its output row
        (local.set $xo (i32.add (local.get $x) (i32.mul (local.get $o) (i32.mul (local.get $rows) (local.get $rowBytes)))))
        (local.set $oo (i32.add (local.get $out) (i32.mul (local.get $o) (local.get $rowBytes))))
        (local.set $j0 (i32.const 0))
        (block $doneB
          (loop $blocks
            (br_if $doneB (i32.ge_u (local.get $j0) (local.get $cols)))
            (local.set $j1 (select (i32.add (local.get $j0) (i32.const 1024)) (local.get $cols)
              (i32.lt_u (i32.add (local.get $j0) (i32.const 1024)) (local.get $cols))))
            ;; lanes end of the block: j0 + 4·floor((j1 − j0) / 4)
            (local.set $j4 (i32.add (local.get $j0) (i32.and (i32.sub (local.get $j1) (local.get $j0)) (i32.const -4))))
            ;; zero the block
            (local.set $j (local.get $j0))
            (block $doneZ
              (loop $zero
                (br_if $doneZ (i32.ge_u (local.get $j) (local.get $j1)))
                (f32.store (i32.add (local.get $oo) (i32.shl (local.get $j) (i32.const 2))) (f32.const 0))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $zero)))
            (local.set $i (i32.const 0))
            (block $doneR
              (loop $rowsLoop
                (br_if $doneR (i32.ge_u (local.get $i) (local.get $rows)))
                (local.set $src (i32.add (local.get $xo) (i32.mul (local.get $i) (local.get $rowBytes))))
                (local.set $j (local.get $j0))
                (block $doneL
                  (loop $lanes
                    (br_if $doneL (i32.ge_u (local.get $j) (local.get $j4)))
                    (v128.store (i32.add (local.get $oo) (i32.shl (local.get $j) (i32.const 2)))
                      (f32x4.add
                        (v128.load (i32.add (local.get $oo) (i32.shl (local.get $j) (i32.const 2))))
                        (v128.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $lanes)))
                (block $doneT
                  (loop $tail
                    (br_if $doneT (i32.ge_u (local.get $j) (local.get $j1)))
                    (f32.store (i32.add (local.get $oo) (i32.shl (local.get $j) (i32.const 2)))
                      (f32.add
                        (f32.load (i32.add (local.get $oo) (i32.shl (local.get $j) (i32.const 2))))
                        (f32.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $tail)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $rowsLoop)))
            (local.set $j0 (local.get $j1))
            (br $blocks)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $outerLoop))))
  (func (export "transpose")
    (param $x i32) (param $out i32) (param $batch i32) (param $rows i32) (param $cols i32)
    (local $b i32) (local $i i32) (local $j i32) (local $jb i32) (local $je i32) (local $je4 i32)
    (local $rows4 i32) (local $xb i32) (local $ob i32) (local $rowB i32) (local $colB i32)
    (local $src i32) (local $dst i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rowB (i32.shl (local.get $cols) (i32.const 2)))   ;; bytes per input row
    (local.set $colB (i32.shl (local.get $rows) (i32.const 2)))   ;; bytes per output row
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $b (i32.const 0))
    (block $doneB
      (loop $batchLoop
        (br_if $doneB (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $xb (i32.add (local.get $x) (i32.mul (local.get $b) (i32.mul (local.get $rows) (local.get $rowB)))))
        (local.set $ob (i32.add (local.get $out) (i32.mul (local.get $b) (i32.mul (local.get $rows) (local.get $rowB)))))
        (local.set $jb (i32.const 0))
        (block $doneJB
          (loop $colBlocks
            (br_if $doneJB (i32.ge_u (local.get $jb) (local.get $cols)))
            (local.set $je (select (i32.add (local.get $jb) (i32.const 256)) (local.get $cols)
              (i32.lt_u (i32.add (local.get $jb) (i32.const 256)) (local.get $cols))))
            (local.set $je4 (i32.add (local.get $jb) (i32.and (i32.sub (local.get $je) (local.get $jb)) (i32.const -4))))
            ;; strips of 4 rows
            (local.set $i (i32.const 0))
            (block $doneI
              (loop $strips
                (br_if $doneI (i32.ge_u (local.get $i) (local.get $rows4)))
                (local.set $j (local.get $jb))
                (block $doneJ
                  (loop $blocks4
                    (br_if $doneJ (i32.ge_u (local.get $j) (local.get $je4)))
                    (local.set $src (i32.add (local.get $xb) (i32.add (i32.mul (local.get $i) (local.get $rowB)) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $r0 (v128.load (local.get $src)))
                    (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $rowB))))
                    (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $rowB) (i32.const 1)))))
                    (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $rowB) (i32.const 3)))))
                    ;; t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3, t2 = c0 d0 c1 d1, t3 = c2 d2 c3 d3
                    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                    (local.set $dst (i32.add (local.get $ob) (i32.add (i32.mul (local.get $j) (local.get $colB)) (i32.shl (local.get $i) (i32.const 2)))))
                    (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
                    (v128.store (i32.add (local.get $dst) (local.get $colB)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
                    (v128.store (i32.add (local.get $dst) (i32.shl (local.get $colB) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
                    (v128.store (i32.add (local.get $dst) (i32.mul (local.get $colB) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
                    (local.set $j (i32.add (local.get $j) (i32.const 4)))
                    (br $blocks4)))
                ;; the block's last columns (fewer than 4), for these 4 rows
                (block $doneT
                  (loop $colTail
                    (br_if $doneT (i32.ge_u (local.get $j) (local.get $je)))
                    (local.set $src (i32.add (local.get $xb) (i32.add (i32.mul (local.get $i) (local.get $rowB)) (i32.shl (local.get $j) (i32.const 2)))))
                    (local.set $dst (i32.add (local.get $ob) (i32.add (i32.mul (local.get $j) (local.get $colB)) (i32.shl (local.get $i) (i32.const 2)))))
                    (i32.store (local.get $dst) (i32.load (local.get $src)))
                    (i32.store offset=4 (local.get $dst) (i32.load (i32.add (local.get $src) (local.get $rowB))))
                    (i32.store offset=8 (local.get $dst) (i32.load (i32.add (local.get $src) (i32.shl (local.get $rowB) (i32.const 1)))))
                    (i32.store offset=12 (local.get $dst) (i32.load (i32.add (local.get $src) (i32.mul (local.get $rowB) (i32.const 3)))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $colTail)))
                (local.set $i (i32.add (local.get $i) (i32.const 4)))
                (br $strips)))
            ;; the last rows (fewer than 4), every column of the block
            (block $doneR
              (loop $rowTail
                (br_if $doneR (i32.ge_u (local.get $i) (local.get $rows)))
                (local.set $j (local.get $jb))
                (block $doneC
                  (loop $cells
                    (br_if $doneC (i32.ge_u (local.get $j) (local.get $je)))
                    (i32.store
                      (i32.add (local.get $ob) (i32.add (i32.mul (local.get $j) (local.get $colB)) (i32.shl (local.get $i) (i32.const 2))))
                      (i32.load (i32.add (local.get $xb) (i32.add (i32.mul (local.get $i) (local.get $rowB)) (i32.shl (local.get $j) (i32.const 2))))))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br $cells)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $rowTail)))
            (local.set $jb (local.get $je))
            (br $colBlocks)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $batchLoop))))
  (func (export "biasact")
    (param $x i32) (param $bias i32) (param $out i32) (param $outer i32) (param $rows i32) (param $cols i32) (param $relu i32)
    (local $o i32) (local $i i32) (local $j i32) (local $rowB i32) (local $end4 i32) (local $src i32) (local $dst i32) (local $bo i32)
    (local $v v128) (local $zero v128) (local $s f32)
    (local.set $rowB (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (local.set $zero (f32x4.splat (f32.const 0)))
    (local.set $src (local.get $x))
    (local.set $dst (local.get $out))
    (local.set $o (i32.const 0))
    (block $doneO
      (loop $outerLoop
        (br_if $doneO (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $bo (i32.add (local.get $bias) (i32.mul (local.get $o) (local.get $rowB))))
        (local.set $i (i32.const 0))
        (block $doneR
          (loop $rowsLoop
            (br_if $doneR (i32.ge_u (local.get $i) (local.get $rows)))
            (local.set $j (i32.const 0))
            (block $doneL
              (loop $lanes
                (br_if $doneL (i32.ge_u (local.get $j) (local.get $end4)))
                (local.set $v (f32x4.add (v128.load (i32.add (local.get $src) (local.get $j))) (v128.load (i32.add (local.get $bo) (local.get $j)))))
                (if (local.get $relu) (then (local.set $v (f32x4.max (local.get $v) (local.get $zero)))))
                (v128.store (i32.add (local.get $dst) (local.get $j)) (local.get $v))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br $lanes)))
            (block $doneT
              (loop $tail
                (br_if $doneT (i32.ge_u (local.get $j) (local.get $rowB)))
                (local.set $s (f32.add (f32.load (i32.add (local.get $src) (local.get $j))) (f32.load (i32.add (local.get $bo) (local.get $j)))))
                (if (local.get $relu) (then (local.set $s (f32.max (local.get $s) (f32.const 0)))))
                (f32.store (i32.add (local.get $dst) (local.get $j)) (local.get $s))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $tail)))
            (local.set $src (i32.add (local.get $src) (local.get $rowB)))
            (local.set $dst (i32.add (local.get $dst) (local.get $rowB)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rowsLoop)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $outerLoop))))
  (func (export "relugrad")
    (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $off i32) (local $end4 i32) (local $end i32) (local $yv v128) (local $one v128) (local $zero v128)
    (local.set $end4 (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $zero (f32x4.splat (f32.const 0)))
    (local.set $off (i32.const 0))
    (block $done4
      (loop $lanes
        (br_if $done4 (i32.ge_u (local.get $off) (local.get $end4)))
        (local.set $yv (v128.load (i32.add (local.get $y) (local.get $off))))
        (v128.store (i32.add (local.get $out) (local.get $off))
          (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $off)))
            (v128.bitselect (local.get $one) (local.get $zero) (f32x4.gt (local.get $yv) (local.get $zero)))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $lanes)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $off) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $off))
          (f32.mul (f32.load (i32.add (local.get $dy) (local.get $off)))
            (select (f32.const 1) (f32.const 0) (f32.gt (f32.load (i32.add (local.get $y) (local.get $off))) (f32.const 0)))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $tail))))
)
