// The release's SBOM as cyclonedx-go decodes it.
package interop

import (
	"bytes"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func TestCycloneDXGoDecodesTheSBOM(t *testing.T) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(readFixture(t, "sbom.cdx.json")), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		t.Fatalf("cyclonedx-go cannot decode the SBOM: %v", err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != cdx.SpecVersion1_7 {
		t.Fatalf("bomFormat %q, specVersion %v", bom.BOMFormat, bom.SpecVersion)
	}
	if bom.Components == nil || len(*bom.Components) == 0 {
		t.Fatal("the SBOM lists no components")
	}
	for _, c := range *bom.Components {
		if c.Name == "" || c.PackageURL == "" {
			t.Fatalf("component without name or purl: %+v", c)
		}
	}
}
