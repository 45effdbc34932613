using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>One catalog and file-rule engine for the screening tests (loading the tables takes a moment).</summary>
public sealed class ScreeningFixture
{
    public ScreeningFixture()
    {
        Catalog = new ScreeningCatalog();
        Engine = Catalog.CreateEngine();
    }

    public ScreeningCatalog Catalog { get; }

    public ScreeningEngine Engine { get; }
}

[CollectionDefinition(Name)]
public sealed class ScreeningGroup : ICollectionFixture<ScreeningFixture>
{
    public const string Name = "Screening";
}
