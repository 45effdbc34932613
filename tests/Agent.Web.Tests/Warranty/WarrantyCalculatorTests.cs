using CallCenter.Agent.Web.Warranty;

namespace CallCenter.Agent.Web.Tests.Warranty;

public sealed class WarrantyCalculatorTests
{
    private static readonly WarrantyTerms Handset = new(ReturnDays: 7, ExchangeDays: 15, WarrantyMonths: 12);
    private static readonly DateOnly Sale = new(2026, 3, 1);

    [Theory]
    [InlineData(0, WarrantyPhase.Return)]
    [InlineData(7, WarrantyPhase.Return)]      // bought on the 1st: 七日内 runs to the end of the 8th
    [InlineData(8, WarrantyPhase.Exchange)]
    [InlineData(15, WarrantyPhase.Exchange)]
    [InlineData(16, WarrantyPhase.Repair)]
    [InlineData(365, WarrantyPhase.Repair)]    // 2027-03-01, the anniversary, is still covered
    [InlineData(366, WarrantyPhase.Expired)]
    public void ThePhaseChangesExactlyAtTheDayEdges(int daysAfterSale, WarrantyPhase expected)
    {
        var status = WarrantyCalculator.Compute(Handset, Sale, Sale.AddDays(daysAfterSale));

        status.Phase.ShouldBe(expected);
        status.DaysSinceSale.ShouldBe(daysAfterSale);
    }

    [Fact]
    public void RepairDelayCompensationExtendsOnlyTheRepairTerm()
    {
        var status = WarrantyCalculator.Compute(Handset, Sale, Sale.AddDays(370), extensionDays: 10);

        status.Phase.ShouldBe(WarrantyPhase.Repair);
        status.ReturnUntil.ShouldBe(Sale.AddDays(7));
        status.RepairUntil.ShouldBe(new DateOnly(2027, 3, 11));
    }

    [Fact]
    public void AnActivationDateOtherThanTheSaleDateIsFlagged()
    {
        WarrantyCalculator.Compute(Handset, Sale, Sale, activationDate: Sale.AddDays(-60)).ActivationMismatch.ShouldBeTrue();
        WarrantyCalculator.Compute(Handset, Sale, Sale, activationDate: Sale).ActivationMismatch.ShouldBeFalse();
    }

    [Theory]
    [InlineData(6, "2026-09-01", true)]   // battery: 6 months
    [InlineData(6, "2026-09-02", false)]
    [InlineData(3, "2026-06-01", true)]   // wired earphone: 3 months
    [InlineData(3, "2026-06-02", false)]
    public void AccessoriesHaveTheirOwnTerms(int months, string today, bool covered)
    {
        var result = WarrantyCalculator.Accessory("battery", "电池", months, Sale, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture));

        result.Covered.ShouldBe(covered);
    }

    [Fact]
    public void ACategoryWithoutAReturnWindowGoesStraightToExchange()
    {
        var status = WarrantyCalculator.Compute(new WarrantyTerms(0, 15, 12), Sale, Sale.AddDays(1));

        status.Phase.ShouldBe(WarrantyPhase.Exchange);
    }
}
