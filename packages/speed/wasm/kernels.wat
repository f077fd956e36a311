;; The project's hand-written f32x4 SIMD kernels, run on the memory of TF.js's wasm backend
;; (imported, so they read tensors where they are and write fresh outputs there). All pointers are
;; byte offsets into that memory. Assembled by scripts/build-wasm.mjs (wabt's wat2wasm) into
;; packages/speed/src/simd-wasm.ts; every scalar tail computes exactly as the lanes.
;;
;; adam:    m' = b1·m + (1−b1)·g,  v' = b2·v + (1−b2)·(g·g),  p' = p − lr·m' / (√v' + eps)
;; sumrows: out[o, j] = Σ_i x[o, i, j] for x [outer, rows, cols] (a sum over the rows of each of
;;          `outer` matrices), accumulated row by row in blocks of 1024 columns that stay in cache.
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
)
