// Command webp measures what the visitor pages' image renditions weigh: for each
// photo given, at each width the pages ask for, the bytes of the JPEG rendition, of a
// lossy WebP (github.com/gen2brain/webp, libwebp compiled to WebAssembly) and of a
// lossless WebP (github.com/HugoSmits86/nativewebp), and how long each encoding took.
//
//	go run ./bench/webp PHOTO...
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"log"
	"os"
	"time"

	"github.com/HugoSmits86/nativewebp"
	"github.com/gen2brain/webp"
	"golang.org/x/image/draw"

	"github.com/passerelle-oss/passerelle/internal/media"
)

func main() {
	flag.Parse()
	for _, name := range flag.Args() {
		if err := measure(name); err != nil {
			log.Fatal(err)
		}
	}
}

func measure(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	b := src.Bounds()
	for _, w := range media.WebWidths() {
		if w > b.Dx() {
			w = b.Dx()
		}
		h := b.Dy() * w / b.Dx()
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.CatmullRom.Scale(img, img.Rect, src, b, draw.Src, nil)
		t := time.Now()
		var jb bytes.Buffer
		if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: media.WebJPEGQuality}); err != nil {
			return err
		}
		jpg := jb.Bytes()
		tj := time.Since(t)
		t = time.Now()
		var lossy bytes.Buffer
		if err := webp.Encode(&lossy, img, webp.Options{Quality: media.WebWebPQuality, Method: 4}); err != nil {
			return err
		}
		tl := time.Since(t)
		t = time.Now()
		var lossless bytes.Buffer
		if err := nativewebp.Encode(&lossless, img, nil); err != nil {
			return err
		}
		tn := time.Since(t)
		fmt.Printf("%s %dx%d: jpeg %d B (%s), webp lossy %d B = %.2f (%s), webp lossless %d B = %.2f (%s)\n", name, w, h,
			len(jpg), tj.Round(time.Millisecond), lossy.Len(), float64(lossy.Len())/float64(len(jpg)), tl.Round(time.Millisecond),
			lossless.Len(), float64(lossless.Len())/float64(len(jpg)), tn.Round(time.Millisecond))
		if w == b.Dx() {
			break
		}
	}
	return nil
}
