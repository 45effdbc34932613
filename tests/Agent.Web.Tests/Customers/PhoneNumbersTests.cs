using CallCenter.Agent.Web.Customers;

namespace CallCenter.Agent.Web.Tests.Customers;

public sealed class PhoneNumbersTests
{
    [Theory]
    [InlineData("13800138001", "13800138001")]
    [InlineData("138-0013-8001", "13800138001")]
    [InlineData("+86 138 0013 8001", "13800138001")]
    [InlineData("010 6234 5678", "01062345678")]
    [InlineData("8008101000", "8008101000")]
    public void NumbersAreReducedToTheirNationalDigits(string raw, string expected) =>
        PhoneNumbers.Normalize(raw).ShouldBe(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("anonymous")]
    [InlineData("12")]
    [InlineData("123456789012345678901234567890")]
    public void NonNumbersAreRefused(string? raw) => PhoneNumbers.Normalize(raw).ShouldBeNull();
}
