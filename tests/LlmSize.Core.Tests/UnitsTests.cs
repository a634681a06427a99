using System.Globalization;

namespace LlmSize.Core.Tests;

public class UnitsTests
{
    [Theory]
    [InlineData(0.05, "5.0%")]          // no culture spacing ("5 %" under the invariant culture's P0)
    [InlineData(0.573, "57.3%")]
    [InlineData(0.000415, "0.042%")]    // two significant digits below 1%: 0.0415% → 0.042%
    [InlineData(0.00996, "1.0%")]       // rounds up into the ≥ 1% form
    [InlineData(0, "0.0%")]
    public void Percent_has_no_culture_spacing(double fraction, string expected)
    {
        Assert.Equal(expected, Units.Percent(fraction));
        Assert.Equal("5 %", 0.05.ToString("P0", CultureInfo.InvariantCulture)); // what P0 prints, hence Units.Percent
    }

    [Theory]
    [InlineData(1, "layer", "1 layer")]
    [InlineData(32, "layer", "32 layers")]
    public void Plural(long count, string noun, string expected) => Assert.Equal(expected, Units.Plural(count, noun));
}
